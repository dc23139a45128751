//! Guideline versions as numbered parts and rules: one row per rule per
//! version, with its title, text and commentary in several languages, and
//! a `lineage` that names "the same rule" across versions, so that history
//! and renumbering can be followed. Each rule has its own provenance: the
//! visits, learning sessions and resources that informed it, in link tables
//! shaped like the resource links (`guideline_rule_<target>`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, json, json_null, pk_auto, string_len, uuid, uuid_uniq};

use crate::column;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(GuidelineRule::Table)
                    .if_not_exists()
                    .col(pk_auto(GuidelineRule::Id))
                    .col(uuid_uniq(GuidelineRule::Uuid))
                    .col(integer(GuidelineRule::GuidelineVersionId))
                    .col(uuid(GuidelineRule::Lineage))
                    .col(string_len(GuidelineRule::Number, 40))
                    .col(integer(GuidelineRule::Position))
                    .col(json(GuidelineRule::Title))
                    .col(json(GuidelineRule::Text))
                    .col(json_null(GuidelineRule::Commentary))
                    .foreign_key(&mut column::fk(
                        "fk_guideline_rule_version",
                        (GuidelineRule::Table, GuidelineRule::GuidelineVersionId),
                        (Target::GuidelineVersion, Target::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_guideline_rule_version_number", GuidelineRule::Number),
            ("idx_guideline_rule_version_lineage", GuidelineRule::Lineage),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(GuidelineRule::Table)
                        .col(GuidelineRule::GuidelineVersionId)
                        .col(col)
                        .unique()
                        .to_owned(),
                )
                .await?;
        }
        // `Rule.history` follows a lineage through the versions.
        manager
            .create_index(
                Index::create()
                    .name("idx_guideline_rule_lineage")
                    .table(GuidelineRule::Table)
                    .col(GuidelineRule::Lineage)
                    .to_owned(),
            )
            .await?;
        for link in &LINKS {
            create_link(manager, link).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut tables: Vec<DynIden> = LINKS
            .iter()
            .map(|l| Alias::new(l.table).into_iden())
            .collect();
        tables.push(GuidelineRule::Table.into_iden());
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A link from rules to the records of one table.
struct Link {
    table: &'static str,
    column: &'static str,
    target: &'static str,
}

const LINKS: [Link; 3] = [
    Link {
        table: "guideline_rule_visit",
        column: "visit_id",
        target: "visit",
    },
    Link {
        table: "guideline_rule_session",
        column: "session_id",
        target: "learning_session",
    },
    Link {
        table: "guideline_rule_resource",
        column: "resource_id",
        target: "resource",
    },
];

/// A link table: deleting the rule (with its version) deletes the link. A
/// visit or learning session that informs a rule is not deleted (their own
/// writes check it); a deleted resource takes its links with it, as its
/// links to versions do.
async fn create_link(manager: &SchemaManager<'_>, link: &Link) -> Result<(), DbErr> {
    let table = Alias::new(link.table);
    let column = Alias::new(link.column);
    manager
        .create_table(
            Table::create()
                .table(table.clone())
                .if_not_exists()
                .col(integer(Source::RuleId))
                .col(integer(column.clone()))
                .primary_key(Index::create().col(Source::RuleId).col(column.clone()))
                .foreign_key(&mut column::fk(
                    &format!("fk_{}_rule", link.table),
                    (table.clone(), Source::RuleId),
                    (GuidelineRule::Table, GuidelineRule::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut column::fk(
                    &format!("fk_{}_target", link.table),
                    (table.clone(), column.clone()),
                    (Alias::new(link.target), Target::Id),
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name(format!("idx_{}_{}", link.table, link.column))
                .table(table)
                .col(column)
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden, Clone)]
enum GuidelineRule {
    Table,
    Id,
    Uuid,
    GuidelineVersionId,
    Lineage,
    Number,
    Position,
    Title,
    Text,
    Commentary,
}

#[derive(DeriveIden, Clone)]
enum Source {
    RuleId,
}

#[derive(DeriveIden, Clone)]
enum Target {
    GuidelineVersion,
    Id,
}
