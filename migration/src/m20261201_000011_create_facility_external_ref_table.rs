//! What other registers call a facility (RESCALED, Prison Insider, Wikidata,
//! OpenStreetMap): one reference per scheme for a facility, and a value
//! names one facility only, so that an import can match rows by it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, string_len, text};

use crate::column;
use crate::m20261128_000004_create_facility_table::Facility;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FacilityExternalRef::Table)
                    .if_not_exists()
                    .col(integer(FacilityExternalRef::FacilityId))
                    .col(column::enumeration(
                        FacilityExternalRef::Scheme,
                        &["rescaled", "prison_insider", "wikidata", "osm", "other"],
                        false,
                    ))
                    .col(string_len(FacilityExternalRef::Value, 300))
                    .col(text(FacilityExternalRef::Url))
                    .primary_key(
                        Index::create()
                            .col(FacilityExternalRef::FacilityId)
                            .col(FacilityExternalRef::Scheme),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_facility_external_ref_facility",
                        (FacilityExternalRef::Table, FacilityExternalRef::FacilityId),
                        (Facility::Table, Facility::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_facility_external_ref_scheme_value")
                    .table(FacilityExternalRef::Table)
                    .col(FacilityExternalRef::Scheme)
                    .col(FacilityExternalRef::Value)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(FacilityExternalRef::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone)]
enum FacilityExternalRef {
    Table,
    FacilityId,
    Scheme,
    Value,
    Url,
}
