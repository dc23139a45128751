//! The audit log: one row per write, in the transaction of the write. Its ids
//! order the change feed, and the `data_version` row of `app_state` makes
//! them follow commit order (see the API's `service::audit`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_pk_auto, boolean, integer, integer_null, json_null, string_len, string_len_null,
    timestamp_with_time_zone,
};

use crate::column;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditEvent::Id))
                    .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                    .col(string_len_null(AuditEvent::ActorSubject, 200))
                    .col(column::enumeration(
                        AuditEvent::ActorRole,
                        &["partner", "editor", "admin", "system"],
                        false,
                    ))
                    .col(string_len_null(AuditEvent::ActorOrganisation, 100))
                    .col(column::enumeration(
                        AuditEvent::EntityType,
                        &[
                            "facility",
                            "visit",
                            "learning_session",
                            "stakeholder",
                            "guideline_version",
                        ],
                        false,
                    ))
                    .col(integer(AuditEvent::EntityId))
                    .col(column::enumeration(
                        AuditEvent::Action,
                        &["created", "updated", "deleted"],
                        false,
                    ))
                    .col(integer_null(AuditEvent::EntityVersion))
                    .col(boolean(AuditEvent::Public))
                    .col(json_null(AuditEvent::BeforeState))
                    .col(json_null(AuditEvent::AfterState))
                    .col(string_len(AuditEvent::Origin, 40).default("api"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_public")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::Public)
                    .col(AuditEvent::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_event_entity")
                    .table(AuditEvent::Table)
                    .col(AuditEvent::EntityType)
                    .col(AuditEvent::EntityId)
                    .to_owned(),
            )
            .await?;
        // The row every write transaction updates first: it serialises writers,
        // so audit ids are handed out in commit order, and it counts writes.
        let mut insert = Query::insert();
        insert
            .into_table(AppState::Table)
            .columns([AppState::Key, AppState::Value, AppState::UpdatedAt])
            .values(["data_version".into(), "0".into(), Expr::current_timestamp()])
            .map_err(|err| DbErr::Migration(err.to_string()))?;
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AppState::Table)
                    .and_where(Expr::col(AppState::Key).eq("data_version"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum AuditEvent {
    Table,
    Id,
    OccurredAt,
    ActorSubject,
    ActorRole,
    ActorOrganisation,
    EntityType,
    EntityId,
    Action,
    EntityVersion,
    Public,
    BeforeState,
    AfterState,
    Origin,
}

#[derive(DeriveIden)]
enum AppState {
    Table,
    Key,
    Value,
    UpdatedAt,
}
