//! Webhooks: the endpoints organisations register, and one delivery row per
//! change-feed event and endpoint, so that retries, ordering and the claims
//! of several replicas live in the database and survive restarts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, boolean, integer, integer_null, pk_auto, string_len, string_len_null,
    text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null, uuid_uniq,
};

use crate::column;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoint::Table)
                    .if_not_exists()
                    .col(pk_auto(WebhookEndpoint::Id))
                    .col(uuid_uniq(WebhookEndpoint::Uuid))
                    .col(integer(WebhookEndpoint::OrganisationId))
                    .col(text(WebhookEndpoint::Url))
                    .col(text_null(WebhookEndpoint::Description))
                    // Comma-separated change-feed entity types, e.g. `facility,visit`.
                    .col(string_len(WebhookEndpoint::EntityTypes, 200))
                    .col(boolean(WebhookEndpoint::OwnFacilitiesOnly).default(false))
                    .col(string_len(WebhookEndpoint::Secret, 100))
                    .col(string_len_null(WebhookEndpoint::PreviousSecret, 100))
                    .col(timestamp_with_time_zone_null(
                        WebhookEndpoint::PreviousSecretExpiresAt,
                    ))
                    .col(timestamp_with_time_zone_null(WebhookEndpoint::DisabledAt))
                    .col(text_null(WebhookEndpoint::DisabledReason))
                    .col(integer(WebhookEndpoint::ConsecutiveFailures).default(0))
                    // The last audit event id fanned out to this endpoint.
                    .col(big_integer(WebhookEndpoint::Cursor).default(0))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_webhook_endpoint_organisation",
                        (WebhookEndpoint::Table, WebhookEndpoint::OrganisationId),
                        (Organisation::Table, Organisation::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_endpoint_organisation")
                    .table(WebhookEndpoint::Table)
                    .col(WebhookEndpoint::OrganisationId)
                    .to_owned(),
            )
            .await?;
        let [delivery_created_at, delivery_updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .if_not_exists()
                    .col(big_pk_auto(WebhookDelivery::Id))
                    .col(uuid_uniq(WebhookDelivery::Uuid))
                    .col(integer(WebhookDelivery::EndpointId))
                    .col(big_integer(WebhookDelivery::AuditEventId))
                    .col(string_len(WebhookDelivery::EventType, 60))
                    .col(column::enumeration(
                        WebhookDelivery::Status,
                        &["pending", "delivered", "failed"],
                        false,
                    ))
                    .col(integer(WebhookDelivery::Attempts).default(0))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::LeasedUntil))
                    .col(string_len_null(WebhookDelivery::LeaseOwner, 64))
                    .col(timestamp_with_time_zone_null(
                        WebhookDelivery::LastAttemptAt,
                    ))
                    .col(integer_null(WebhookDelivery::LastStatus))
                    .col(string_len_null(WebhookDelivery::LastError, 300))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .col(delivery_created_at)
                    .col(delivery_updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_webhook_delivery_endpoint",
                        (WebhookDelivery::Table, WebhookDelivery::EndpointId),
                        (WebhookEndpoint::Table, WebhookEndpoint::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        // One delivery per event and endpoint, whichever replica fans out.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_endpoint_event")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::EndpointId)
                    .col(WebhookDelivery::AuditEventId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The sender looks for the oldest pending delivery of each endpoint.
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_delivery_status")
                    .table(WebhookDelivery::Table)
                    .col(WebhookDelivery::Status)
                    .col(WebhookDelivery::EndpointId)
                    .col(WebhookDelivery::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookDelivery::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WebhookEndpoint::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum WebhookEndpoint {
    Table,
    Id,
    Uuid,
    OrganisationId,
    Url,
    Description,
    EntityTypes,
    OwnFacilitiesOnly,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    DisabledAt,
    DisabledReason,
    ConsecutiveFailures,
    Cursor,
}

#[derive(DeriveIden, Clone)]
enum WebhookDelivery {
    Table,
    Id,
    Uuid,
    EndpointId,
    AuditEventId,
    EventType,
    Status,
    Attempts,
    NextAttemptAt,
    LeasedUntil,
    LeaseOwner,
    LastAttemptAt,
    LastStatus,
    LastError,
    DeliveredAt,
}

#[derive(DeriveIden, Clone)]
enum Organisation {
    Table,
    Id,
}
