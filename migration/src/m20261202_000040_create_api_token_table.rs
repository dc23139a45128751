//! The register of issued tokens: what each was issued for, until when, and
//! whether it was revoked. Never the token itself: the register lets an admin
//! list and revoke tokens, and a copy of it signs nothing.
//!
//! The `access_version` row of `app_state` counts revocations and changes to
//! organisations, so that every server learns of them with one small query.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    pk_auto, string_len, string_len_null, string_len_uniq, text_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

use crate::column;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ACCESS_VERSION_KEY: &str = "access_version";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .if_not_exists()
                    .col(pk_auto(ApiToken::Id))
                    .col(string_len_uniq(ApiToken::Jti, 64))
                    .col(string_len(ApiToken::Subject, 200))
                    .col(column::enumeration(
                        ApiToken::Role,
                        &["partner", "editor", "admin"],
                        false,
                    ))
                    .col(string_len_null(ApiToken::Organisation, 100))
                    .col(text_null(ApiToken::Label))
                    .col(timestamp_with_time_zone(ApiToken::IssuedAt))
                    .col(timestamp_with_time_zone(ApiToken::ExpiresAt))
                    .col(string_len_null(ApiToken::IssuedBy, 200))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .col(string_len_null(ApiToken::RevokedBy, 200))
                    .to_owned(),
            )
            .await?;
        // The servers read the revoked tokens that are still unexpired.
        manager
            .create_index(
                Index::create()
                    .name("idx_api_token_revoked_at")
                    .table(ApiToken::Table)
                    .col(ApiToken::RevokedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AppState::Table)
                    .columns([AppState::Key, AppState::Value, AppState::UpdatedAt])
                    .values_panic([
                        ACCESS_VERSION_KEY.into(),
                        "0".into(),
                        Expr::current_timestamp(),
                    ])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AppState::Table)
                    .and_where(Expr::col(AppState::Key).eq(ACCESS_VERSION_KEY))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ApiToken::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum ApiToken {
    Table,
    Id,
    Jti,
    Subject,
    Role,
    Organisation,
    Label,
    IssuedAt,
    ExpiresAt,
    IssuedBy,
    RevokedAt,
    RevokedBy,
}

#[derive(DeriveIden, Clone)]
enum AppState {
    Table,
    Key,
    Value,
    UpdatedAt,
}
