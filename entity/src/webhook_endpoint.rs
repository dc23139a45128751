//! Webhook endpoints: where an organisation receives the change-feed events
//! it subscribed to, and how far the fan-out has come for each.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "webhook_endpoint")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub uuid: Uuid,
    pub organisation_id: i32,
    pub url: String,
    pub description: Option<String>,
    /// Comma-separated audit entity types (`facility,visit`).
    pub entity_types: String,
    /// Only events of the facilities the organisation maintains (and their visits).
    pub own_facilities_only: bool,
    /// The signing secret, `whsec_` and base64; shown to its owner once,
    /// and in the audit log only as whether it is set and changed.
    pub secret: String,
    /// The secret before the last rotation, which also signs until it expires.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    pub disabled_at: Option<DateTimeUtc>,
    pub disabled_reason: Option<String>,
    pub consecutive_failures: i32,
    /// The last audit event id fanned out to this endpoint.
    pub cursor: i64,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::OrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
    #[sea_orm(has_many = "super::webhook_delivery::Entity")]
    WebhookDelivery,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl Related<super::webhook_delivery::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WebhookDelivery.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
