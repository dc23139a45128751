//! The competences of relational security: areas, the competences in each,
//! and their links to the resources, learning sessions and guideline
//! versions that treat them. The links are fields of the competence, so
//! every link table is keyed by (competence_id, <target>_id) and goes with
//! either end. Areas and competences are audited and in the change feed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, json, json_null, pk_auto, string_len, text, uuid_uniq};

use crate::column;

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
    "consultation_comment",
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
    "competence_area",
    "competence",
];

/// A link from competences to the records of one table.
struct Link {
    table: &'static str,
    column: &'static str,
    target: &'static str,
}

const LINKS: [Link; 3] = [
    Link {
        table: "competence_resource",
        column: "resource_id",
        target: "resource",
    },
    Link {
        table: "competence_learning_session",
        column: "learning_session_id",
        target: "learning_session",
    },
    Link {
        table: "competence_guideline_version",
        column: "guideline_version_id",
        target: "guideline_version",
    },
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
                    .table(Area::Table)
                    .if_not_exists()
                    .col(pk_auto(Area::Id))
                    .col(uuid_uniq(Area::Uuid))
                    .col(string_len(Area::Key, 60).unique_key().take())
                    .col(integer(Area::Position))
                    .col(json(Area::Name))
                    .col(json_null(Area::Description))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .to_owned(),
            )
            .await?;
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(Competence::Table)
                    .if_not_exists()
                    .col(pk_auto(Competence::Id))
                    .col(uuid_uniq(Competence::Uuid))
                    .col(string_len(Competence::Key, 60).unique_key().take())
                    .col(integer(Competence::AreaId))
                    .col(integer(Competence::Position))
                    .col(json(Competence::Name))
                    .col(json_null(Competence::Description))
                    .col(text(Competence::SearchText))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    // An area in use stays: its competences name it.
                    .foreign_key(&mut column::fk(
                        "fk_competence_area",
                        (Competence::Table, Competence::AreaId),
                        (Area::Table, Area::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_competence_area")
                    .table(Competence::Table)
                    .col(Competence::AreaId)
                    .col(Competence::Position)
                    .to_owned(),
            )
            .await?;
        for link in &LINKS {
            create_link(manager, link).await?;
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

    /// The history of competences goes with them.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(AuditEvent::Table)
                    .and_where(
                        Expr::col(AuditEvent::EntityType).is_in(["competence_area", "competence"]),
                    )
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
        let mut tables: Vec<DynIden> = LINKS
            .iter()
            .map(|l| Alias::new(l.table).into_iden())
            .collect();
        tables.extend([Competence::Table.into_iden(), Area::Table.into_iden()]);
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A link table: deleting either end deletes the link.
async fn create_link(manager: &SchemaManager<'_>, link: &Link) -> Result<(), DbErr> {
    let table = Alias::new(link.table);
    let column = Alias::new(link.column);
    manager
        .create_table(
            Table::create()
                .table(table.clone())
                .if_not_exists()
                .col(integer(LinkColumn::CompetenceId))
                .col(integer(column.clone()))
                .primary_key(
                    Index::create()
                        .col(LinkColumn::CompetenceId)
                        .col(column.clone()),
                )
                .foreign_key(&mut column::fk(
                    &format!("fk_{}_competence", link.table),
                    (table.clone(), LinkColumn::CompetenceId),
                    (Competence::Table, Competence::Id),
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut column::fk(
                    &format!("fk_{}_target", link.table),
                    (table.clone(), column.clone()),
                    (Alias::new(link.target), Alias::new("id")),
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
enum Area {
    #[sea_orm(iden = "competence_area")]
    Table,
    Id,
    Uuid,
    Key,
    Position,
    Name,
    Description,
}

#[derive(DeriveIden, Clone)]
enum Competence {
    Table,
    Id,
    Uuid,
    Key,
    AreaId,
    Position,
    Name,
    Description,
    SearchText,
}

#[derive(DeriveIden, Clone)]
enum LinkColumn {
    CompetenceId,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    EntityType,
}
