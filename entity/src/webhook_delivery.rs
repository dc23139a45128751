//! One change-feed event for one webhook endpoint: sent, retried and claimed
//! through this row, so that the work survives restarts and is shared by replicas.

use sea_orm::entity::prelude::*;

use crate::value::DeliveryStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The `webhook-id` header: the same on every attempt.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub endpoint_id: i32,
    pub audit_event_id: i64,
    /// `facility.updated` and the like.
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// Until when a replica that claimed it is sending it.
    pub leased_until: Option<DateTimeUtc>,
    pub lease_owner: Option<String>,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::webhook_endpoint::Entity",
        from = "Column::EndpointId",
        to = "super::webhook_endpoint::Column::Id"
    )]
    WebhookEndpoint,
}

impl Related<super::webhook_endpoint::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebhookEndpoint.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
