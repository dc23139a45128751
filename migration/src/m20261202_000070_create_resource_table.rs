//! The knowledge library: resources, their authors and languages, and their
//! links to facilities, ecosystem dimensions, knowledge workshops, visits,
//! learning sessions and guideline versions. Every link table has the same
//! shape, `resource_<target>` keyed by (resource_id, <target>_id), so that
//! later links (competences) are added alike.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean_null, date_null, integer, integer_null, json, json_null, pk_auto, string_len,
    string_len_null, text, text_null, uuid_uniq,
};

use crate::column::{self, ECOSYSTEM_DIMENSIONS};

/// The kinds of resource when this migration shipped.
const KINDS: &[&str] = &[
    "report",
    "study",
    "article",
    "book",
    "video",
    "podcast",
    "toolkit",
    "training_material",
    "policy_text",
    "dataset",
    "other",
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
                    .table(Resource::Table)
                    .if_not_exists()
                    .col(pk_auto(Resource::Id))
                    .col(uuid_uniq(Resource::Uuid))
                    .col(column::enumeration(Resource::Kind, KINDS, false))
                    .col(json(Resource::Title))
                    .col(json_null(Resource::Summary))
                    .col(text_null(Resource::Publisher))
                    .col(integer_null(Resource::PublishedYear))
                    .col(date_null(Resource::PublishedOn))
                    .col(text_null(Resource::Url))
                    .col(string_len_null(Resource::Licence, 200))
                    .col(boolean_null(Resource::OpenAccess))
                    .col(column::sort_key(manager, Resource::SortTitle))
                    .col(text(Resource::SearchText))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_resource_published",
                vec![Resource::PublishedYear, Resource::Id],
            ),
            (
                "idx_resource_title",
                vec![Resource::SortTitle, Resource::Id],
            ),
            ("idx_resource_kind", vec![Resource::Kind]),
        ] {
            let mut index = Index::create().name(name).table(Resource::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Child::ResourceAuthor)
                    .if_not_exists()
                    .col(integer(Child::ResourceId))
                    .col(integer(Child::Position))
                    .col(integer_null(Child::StakeholderId))
                    .col(string_len_null(Child::Organisation, 200))
                    .check(column::check(
                        "(\"stakeholder_id\" IS NULL) <> (\"organisation\" IS NULL)",
                    ))
                    .primary_key(Index::create().col(Child::ResourceId).col(Child::Position))
                    .foreign_key(&mut column::fk(
                        "fk_resource_author_resource",
                        (Child::ResourceAuthor, Child::ResourceId),
                        (Resource::Table, Resource::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut column::fk(
                        "fk_resource_author_stakeholder",
                        (Child::ResourceAuthor, Child::StakeholderId),
                        (Target::Stakeholder, Target::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Child::ResourceLanguage)
                    .if_not_exists()
                    .col(integer(Child::ResourceId))
                    .col(string_len(Child::Language, 2))
                    .primary_key(Index::create().col(Child::ResourceId).col(Child::Language))
                    .foreign_key(&mut column::fk(
                        "fk_resource_language_resource",
                        (Child::ResourceLanguage, Child::ResourceId),
                        (Resource::Table, Resource::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Child::ResourceDimension)
                    .if_not_exists()
                    .col(integer(Child::ResourceId))
                    .col(column::enumeration(
                        Child::Dimension,
                        ECOSYSTEM_DIMENSIONS,
                        false,
                    ))
                    .primary_key(Index::create().col(Child::ResourceId).col(Child::Dimension))
                    .foreign_key(&mut column::fk(
                        "fk_resource_dimension_resource",
                        (Child::ResourceDimension, Child::ResourceId),
                        (Resource::Table, Resource::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, table, col) in [
            (
                "idx_resource_language_language",
                Child::ResourceLanguage,
                Child::Language,
            ),
            (
                "idx_resource_dimension_dimension",
                Child::ResourceDimension,
                Child::Dimension,
            ),
        ] {
            manager
                .create_index(Index::create().name(name).table(table).col(col).to_owned())
                .await?;
        }

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
        tables.extend([
            Child::ResourceDimension.into_iden(),
            Child::ResourceLanguage.into_iden(),
            Child::ResourceAuthor.into_iden(),
            Resource::Table.into_iden(),
        ]);
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A link from resources to the records of one table.
struct Link {
    table: &'static str,
    column: &'static str,
    target: &'static str,
}

const LINKS: [Link; 5] = [
    Link {
        table: "resource_facility",
        column: "facility_id",
        target: "facility",
    },
    Link {
        table: "resource_workshop",
        column: "workshop_id",
        target: "knowledge_workshop",
    },
    Link {
        table: "resource_visit",
        column: "visit_id",
        target: "visit",
    },
    Link {
        table: "resource_learning_session",
        column: "learning_session_id",
        target: "learning_session",
    },
    Link {
        table: "resource_guideline_version",
        column: "guideline_version_id",
        target: "guideline_version",
    },
];

/// A link table: deleting either end deletes the link. A link is no fact of
/// its own: what remains of a resource whose facility was deleted is the
/// resource, and the deletion is in the audit log of the facility.
async fn create_link(manager: &SchemaManager<'_>, link: &Link) -> Result<(), DbErr> {
    let table = Alias::new(link.table);
    let column = Alias::new(link.column);
    manager
        .create_table(
            Table::create()
                .table(table.clone())
                .if_not_exists()
                .col(integer(Child::ResourceId))
                .col(integer(column.clone()))
                .primary_key(Index::create().col(Child::ResourceId).col(column.clone()))
                .foreign_key(&mut column::fk(
                    &format!("fk_{}_resource", link.table),
                    (table.clone(), Child::ResourceId),
                    (Resource::Table, Resource::Id),
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
enum Resource {
    Table,
    Id,
    Uuid,
    Kind,
    Title,
    Summary,
    Publisher,
    PublishedYear,
    PublishedOn,
    Url,
    Licence,
    OpenAccess,
    SortTitle,
    SearchText,
}

#[derive(DeriveIden, Clone)]
enum Child {
    ResourceAuthor,
    ResourceLanguage,
    ResourceDimension,
    ResourceId,
    Position,
    StakeholderId,
    Organisation,
    Language,
    Dimension,
}

#[derive(DeriveIden, Clone)]
enum Target {
    Stakeholder,
    Id,
}
