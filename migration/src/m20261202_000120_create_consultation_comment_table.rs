//! The consultation on a guideline version: comments that partners, editors
//! and admins make on one rule, or on the version as a whole, while it is in
//! CONSULTATION, and the editors' answer to each. Comments are in the audit
//! log and, once their version is adopted, in the change feed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, integer_null, pk_auto, string_len_null, text, text_null,
    timestamp_with_time_zone_null, uuid_uniq,
};

use crate::column;

/// Open until answered (or withdrawn); the four marks an editor gives.
const STATUSES: &[&str] = &[
    "open",
    "accepted",
    "partly_accepted",
    "not_accepted",
    "out_of_scope",
    "withdrawn",
];

const ENTITIES_BEFORE: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
    "organisation",
    "proposal",
    "knowledge_workshop",
];
const ENTITIES_AFTER: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
    "organisation",
    "proposal",
    "knowledge_workshop",
    "consultation_comment",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(Comment::Table)
                    .if_not_exists()
                    .col(pk_auto(Comment::Id))
                    .col(uuid_uniq(Comment::Uuid))
                    .col(integer(Comment::GuidelineVersionId))
                    .col(integer_null(Comment::RuleId))
                    .col(integer_null(Comment::OrganisationId))
                    .col(string_len_null(Comment::Author, 200))
                    .col(integer_null(Comment::StakeholderId))
                    .col(text(Comment::Text))
                    .col(column::enumeration(Comment::Status, STATUSES, false))
                    .col(text_null(Comment::Answer))
                    .col(string_len_null(Comment::AnsweredBy, 200))
                    .col(timestamp_with_time_zone_null(Comment::AnsweredAt))
                    .col(timestamp_with_time_zone_null(Comment::WithdrawnAt))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_consultation_comment_version",
                        (Comment::Table, Comment::GuidelineVersionId),
                        (Target::GuidelineVersion, Target::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // Rules are rewritten only while their version is a
                    // draft, which takes no comments.
                    .foreign_key(&mut column::fk(
                        "fk_consultation_comment_rule",
                        (Comment::Table, Comment::RuleId),
                        (Target::GuidelineRule, Target::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_consultation_comment_organisation",
                        (Comment::Table, Comment::OrganisationId),
                        (Target::Organisation, Target::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_consultation_comment_stakeholder",
                        (Comment::Table, Comment::StakeholderId),
                        (Target::Stakeholder, Target::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        // A version's comments in the order they came, and a rule's.
        for (name, col) in [
            (
                "idx_consultation_comment_version",
                Comment::GuidelineVersionId,
            ),
            ("idx_consultation_comment_rule", Comment::RuleId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Comment::Table)
                        .col(col)
                        .col(Comment::Id)
                        .to_owned(),
                )
                .await?;
        }
        column::allow_values(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            ENTITIES_AFTER,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvent::Table)
                    .and_where(Expr::col(AuditEvent::EntityType).eq("consultation_comment"))
                    .to_owned(),
            )
            .await?;
        column::allow_values(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_AFTER,
            ENTITIES_BEFORE,
        )
        .await?;
        manager
            .drop_table(Table::drop().table(Comment::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum Comment {
    #[sea_orm(iden = "consultation_comment")]
    Table,
    Id,
    Uuid,
    GuidelineVersionId,
    RuleId,
    OrganisationId,
    Author,
    StakeholderId,
    Text,
    Status,
    Answer,
    AnsweredBy,
    AnsweredAt,
    WithdrawnAt,
}

#[derive(DeriveIden, Clone)]
enum Target {
    GuidelineVersion,
    GuidelineRule,
    Organisation,
    Stakeholder,
    Id,
}

#[derive(DeriveIden, Clone)]
enum AuditEvent {
    Table,
    EntityType,
}
