//! A member's role in a knowledge workshop, and what a workshop's balance
//! counts: a stakeholder's discipline, and, only with their consent to
//! record them, their gender and age band. Every member starts as a plain
//! member, and no one has any of the new fields or the consent.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::boolean;

use crate::column;

/// The roles a member has in a workshop, as the project speaks of them.
const ROLES: &[&str] = &["coordinator", "partner", "member"];
const DISCIPLINES: &[&str] = &[
    "law",
    "criminology",
    "psychology",
    "social_work",
    "health_care",
    "education",
    "architecture",
    "public_administration",
    "security",
    "other",
];
const GENDERS: &[&str] = &["woman", "man", "non_binary", "other"];
const AGE_BANDS: &[&str] = &[
    "under25",
    "from25_to34",
    "from35_to44",
    "from45_to54",
    "from55_to64",
    "from65",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Stakeholder {
    Table,
    Discipline,
    Gender,
    AgeBand,
    ConsentDemographics,
}

#[derive(DeriveIden, Clone, Copy)]
enum WorkshopMembership {
    Table,
    Role,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement; a rerun after a failure
        // skips what is there.
        if !manager.has_column("workshop_membership", "role").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(WorkshopMembership::Table)
                        .add_column(
                            column::enumeration(WorkshopMembership::Role, ROLES, false)
                                .default("member")
                                .take(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        for (col, def) in [
            (
                Stakeholder::Discipline,
                column::enumeration(Stakeholder::Discipline, DISCIPLINES, true),
            ),
            (
                Stakeholder::Gender,
                column::enumeration(Stakeholder::Gender, GENDERS, true),
            ),
            (
                Stakeholder::AgeBand,
                column::enumeration(Stakeholder::AgeBand, AGE_BANDS, true),
            ),
            (
                Stakeholder::ConsentDemographics,
                boolean(Stakeholder::ConsentDemographics)
                    .default(false)
                    .take(),
            ),
        ] {
            if manager.has_column("stakeholder", &col.to_string()).await? {
                continue;
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(Stakeholder::Table)
                        .add_column(def)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            Stakeholder::ConsentDemographics,
            Stakeholder::AgeBand,
            Stakeholder::Gender,
            Stakeholder::Discipline,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Stakeholder::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(WorkshopMembership::Table)
                    .drop_column(WorkshopMembership::Role)
                    .to_owned(),
            )
            .await
    }
}
