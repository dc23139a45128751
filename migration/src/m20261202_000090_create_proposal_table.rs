//! Partners' proposals: a change to a facility (or a new one) that waits for
//! an editor's review, with the facility as it was when proposed, so that an
//! editor sees field by field what changed meanwhile. An organisation may be
//! set to have every change of its own facilities reviewed first. The audit
//! log names the proposal an approved write came from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, integer, integer_null, json, json_null, pk_auto, string_len_null, text, text_null,
    timestamp_with_time_zone_null, uuid_uniq,
};

use crate::column;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261202_000090_create_proposal_table"
    }
}

const ENTITIES_BEFORE: &[&str] = &[
    "facility",
    "visit",
    "learning_session",
    "stakeholder",
    "guideline_version",
    "resource",
    "organisation",
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
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(Proposal::Table)
                    .if_not_exists()
                    .col(pk_auto(Proposal::Id))
                    .col(uuid_uniq(Proposal::Uuid))
                    .col(column::enumeration(
                        Proposal::Kind,
                        &["change", "new_facility"],
                        false,
                    ))
                    .col(column::enumeration(
                        Proposal::Status,
                        &["pending", "approved", "rejected", "withdrawn"],
                        false,
                    ))
                    .col(integer_null(Proposal::FacilityId))
                    .col(integer(Proposal::OrganisationId))
                    .col(string_len_null(Proposal::ProposedBy, 200))
                    .col(json(Proposal::Changes))
                    .col(integer_null(Proposal::BaseVersion))
                    .col(json_null(Proposal::Base))
                    .col(json(Proposal::Proposed))
                    .col(text(Proposal::Reason))
                    .col(json(Proposal::Source))
                    .col(text_null(Proposal::DecisionReason))
                    .col(string_len_null(Proposal::DecidedBy, 200))
                    .col(timestamp_with_time_zone_null(Proposal::DecidedAt))
                    .col(integer_null(Proposal::AppliedVersion))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_proposal_facility",
                        (Proposal::Table, Proposal::FacilityId),
                        (Facility::Table, Facility::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_proposal_organisation",
                        (Proposal::Table, Proposal::OrganisationId),
                        (Organisation::Table, Organisation::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        // The editors' queue: pending first, oldest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_proposal_status_id")
                    .table(Proposal::Table)
                    .col(Proposal::Status)
                    .col(Proposal::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_proposal_organisation_id")
                    .table(Proposal::Table)
                    .col(Proposal::OrganisationId)
                    .col(Proposal::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_proposal_facility_id")
                    .table(Proposal::Table)
                    .col(Proposal::FacilityId)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Organisation::Table)
                    .add_column(boolean(Organisation::ReviewFirst).default(false))
                    .to_owned(),
            )
            .await?;
        column::allow_values(
            manager,
            "audit_event",
            "entity_type",
            ENTITIES_BEFORE,
            ENTITIES_AFTER,
        )
        .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .add_column(integer_null(AuditEvent::ProposalId))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvent::Table)
                    .drop_column(AuditEvent::ProposalId)
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvent::Table)
                    .and_where(Expr::col(AuditEvent::EntityType).eq("proposal"))
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
            .alter_table(
                Table::alter()
                    .table(Organisation::Table)
                    .drop_column(Organisation::ReviewFirst)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Proposal::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum Proposal {
    Table,
    Id,
    Uuid,
    Kind,
    Status,
    FacilityId,
    OrganisationId,
    ProposedBy,
    Changes,
    BaseVersion,
    Base,
    Proposed,
    Reason,
    Source,
    DecisionReason,
    DecidedBy,
    DecidedAt,
    AppliedVersion,
}

#[derive(DeriveIden, Clone)]
enum Facility {
    Table,
    Id,
}

#[derive(DeriveIden, Clone)]
enum Organisation {
    Table,
    Id,
    ReviewFirst,
}

#[derive(DeriveIden, Clone)]
enum AuditEvent {
    Table,
    EntityType,
    ProposalId,
}
