//! Webhooks: an organisation's endpoints receive the change-feed events they
//! subscribe to, signed as the Standard Webhooks specification says.
//!
//! Only public events are sent, the ones the `changes` feed shows anyone:
//! a partner's own non-public changes are not, because a delivery leaves the
//! API's access rules behind (a URL outlives the token that registered it),
//! and the one partner-private data today, stakeholders' contact details, is
//! what must least travel. `ownFacilitiesOnly` narrows the feed to the
//! facilities an organisation maintains and the visits to them.
//!
//! The work is rows in the database: the fan-out ([`worker`]) turns each new
//! event into one `webhook_delivery` per matching endpoint and moves the
//! endpoint's cursor in the same transaction; the sender claims the oldest
//! pending delivery of each endpoint, so that an endpoint receives its
//! events in order, each at least once, and retries survive restarts.

pub mod guard;
pub mod signature;
pub mod worker;
pub mod write;

use std::time::Duration;

use entity::value::{AuditEntity, DeliveryStatus, Role};
use entity::{audit_event, organisation, webhook_delivery, webhook_endpoint};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::config::ServeSettings;
use crate::error::{AppError, Result};
use crate::service::kernel::unit_of_work::Actor;

/// How webhooks are sent, from the operator's settings.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub allow: guard::Allow,
    pub retry_base: Duration,
    pub max_attempts: u32,
    pub timeout: Duration,
    /// Whether this replica fans out and sends.
    pub work: bool,
}

impl Policy {
    #[must_use]
    pub fn from_settings(settings: &ServeSettings) -> Self {
        Self {
            allow: guard::Allow {
                private_addresses: settings.webhook_allow_private_addresses,
                http: settings.webhook_allow_http,
            },
            retry_base: Duration::from_millis(settings.webhook_retry_base_ms.max(1)),
            max_attempts: settings.webhook_max_attempts.max(1),
            timeout: Duration::from_millis(settings.webhook_timeout_ms.max(1)),
            work: settings.webhook_worker,
        }
    }
}

/// The id of the latest audit event; `None` before the first write.
///
/// # Errors
/// Database errors.
pub async fn latest_event(db: &impl ConnectionTrait) -> Result<Option<i64>> {
    Ok(audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Id)
        .order_by_desc(audit_event::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?)
}

/// The entity types an endpoint subscribes to, as stored.
#[must_use]
pub fn entity_types(endpoint: &webhook_endpoint::Model) -> Vec<AuditEntity> {
    endpoint
        .entity_types
        .split(',')
        .filter_map(|t| AuditEntity::parse(t.trim()))
        .collect()
}

/// The stored form of a list of entity types, each once, in a fixed order.
#[must_use]
pub fn store_entity_types(types: &[AuditEntity]) -> String {
    let mut types = types.to_vec();
    types.sort();
    types.dedup();
    types
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The organisation whose endpoints an actor manages: a partner its own;
/// admins the one they name. Editors manage none.
///
/// # Errors
/// `FORBIDDEN` for editors; `BAD_USER_INPUT` when an admin names no or an
/// unknown organisation; database errors.
pub async fn organisation_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    named: Option<&str>,
) -> Result<organisation::Model> {
    match actor.role {
        Role::Partner => {
            let own = actor.organisation.clone().ok_or_else(|| {
                AppError::Forbidden("webhooks belong to an organisation".to_owned())
            })?;
            match named {
                Some(slug) if slug.trim() != own.slug => Err(AppError::Forbidden(
                    "a partner manages the webhooks of its own organisation only".to_owned(),
                )),
                _ => Ok(own),
            }
        }
        Role::Admin | Role::System => {
            let Some(slug) = named.map(str::trim) else {
                return Err(AppError::bad_input(
                    "input.organisation",
                    "name the organisation (its slug) the endpoint is for",
                ));
            };
            crate::service::organisation::find(db, slug)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(
                        "input.organisation",
                        format!("no organisation has the slug `{slug}`"),
                    )
                })
        }
        Role::Editor => Err(AppError::Forbidden(
            "webhooks are managed by the organisation they belong to (a partner token) or by an admin".to_owned(),
        )),
    }
}

/// The endpoints an actor may see: a partner's own organisation's, or, for
/// admins, all (or one organisation's).
///
/// # Errors
/// `FORBIDDEN` for editors; database errors.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    organisation: Option<&str>,
) -> Result<Vec<Owned>> {
    let mut cond = Condition::all();
    match actor.role {
        Role::Partner => {
            let own = organisation_of(db, actor, organisation).await?;
            cond = cond.add(webhook_endpoint::Column::OrganisationId.eq(own.id));
        }
        Role::Admin | Role::System => {
            if let Some(slug) = organisation {
                let org = crate::service::organisation::find(db, slug.trim()).await?;
                cond =
                    cond.add(webhook_endpoint::Column::OrganisationId.eq(org.map_or(-1, |o| o.id)));
            }
        }
        Role::Editor => {
            organisation_of(db, actor, organisation).await?;
        }
    }
    Ok(webhook_endpoint::Entity::find()
        .filter(cond)
        .order_by_asc(webhook_endpoint::Column::Id)
        .find_also_related(organisation::Entity)
        .all(db)
        .await?
        .into_iter()
        .map(|(endpoint, org)| Owned {
            organisation: org.map(|o| o.slug).unwrap_or_default(),
            endpoint,
        })
        .collect())
}

/// An endpoint and the slug of the organisation it belongs to.
#[derive(Debug, Clone)]
pub struct Owned {
    pub endpoint: webhook_endpoint::Model,
    pub organisation: String,
}

/// One endpoint the actor manages. Another organisation's is `NOT_FOUND`
/// for a partner, as if it did not exist.
///
/// # Errors
/// `NOT_FOUND`, `FORBIDDEN` for editors; database errors.
pub async fn find(db: &impl ConnectionTrait, actor: &Actor, uuid: Uuid) -> Result<Owned> {
    if actor.role == Role::Editor {
        organisation_of(db, actor, None).await?;
    }
    let (endpoint, org) = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Uuid.eq(uuid))
        .find_also_related(organisation::Entity)
        .one(db)
        .await?
        .filter(|(e, _)| may_manage(actor, e))
        .ok_or_else(|| AppError::not_found(format!("no webhook endpoint has the id `{uuid}`")))?;
    Ok(Owned {
        organisation: org.map(|o| o.slug).unwrap_or_default(),
        endpoint,
    })
}

fn may_manage(actor: &Actor, endpoint: &webhook_endpoint::Model) -> bool {
    actor.role.is_admin()
        || actor
            .organisation
            .as_ref()
            .is_some_and(|o| o.id == endpoint.organisation_id)
}

/// One delivery of an endpoint the actor manages, with its endpoint.
///
/// # Errors
/// `NOT_FOUND`; database errors.
pub async fn find_delivery(
    db: &impl ConnectionTrait,
    actor: &Actor,
    uuid: Uuid,
) -> Result<(webhook_delivery::Model, webhook_endpoint::Model)> {
    let missing = || AppError::not_found(format!("no webhook delivery has the id `{uuid}`"));
    let (delivery, endpoint) = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Uuid.eq(uuid))
        .find_also_related(webhook_endpoint::Entity)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let endpoint = endpoint
        .filter(|e| may_manage(actor, e))
        .ok_or_else(missing)?;
    Ok((delivery, endpoint))
}

/// A page of an endpoint's delivery log, newest first: at most `limit` after
/// (older than) the delivery `before`, plus one when more follow.
///
/// # Errors
/// Database errors.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    endpoint: i32,
    status: Option<DeliveryStatus>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<webhook_delivery::Model>> {
    let mut cond = Condition::all().add(webhook_delivery::Column::EndpointId.eq(endpoint));
    if let Some(status) = status {
        cond = cond.add(webhook_delivery::Column::Status.eq(status));
    }
    if let Some(before) = before {
        cond = cond.add(webhook_delivery::Column::Id.lt(before));
    }
    Ok(webhook_delivery::Entity::find()
        .filter(cond)
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?)
}
