//! Facilities, with the RESCALED principles they apply and their ecosystem
//! notes, indexed for what the map filters and orders on.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean_null, double_null, integer, integer_null, json_null, pk_auto, string, string_len_uniq,
    string_null, text, text_null,
};

use crate::column::{self, ECOSYSTEM_DIMENSIONS};
use crate::m20261128_000002_create_organisation_table::Organisation;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let [created_at, updated_at] = column::timestamps();
        manager
            .create_table(
                Table::create()
                    .table(Facility::Table)
                    .if_not_exists()
                    .col(pk_auto(Facility::Id))
                    .col(string_len_uniq(Facility::Slug, 200))
                    .col(string(Facility::Name))
                    .col(column::country_code(Facility::CountryCode, false))
                    .col(string_null(Facility::City))
                    .col(
                        double_null(Facility::Latitude)
                            .check(column::check("\"latitude\" BETWEEN -90 AND 90"))
                            .take(),
                    )
                    .col(
                        double_null(Facility::Longitude)
                            .check(column::check("\"longitude\" BETWEEN -180 AND 180"))
                            .take(),
                    )
                    .col(column::enumeration(
                        Facility::FacilityType,
                        &[
                            "detention_house",
                            "transition_house",
                            "youth_small_scale",
                            "community_custody_unit",
                            "halfway_house",
                            "open_prison",
                            "mother_child_unit",
                            "other",
                        ],
                        false,
                    ))
                    .col(column::enumeration(
                        Facility::Status,
                        &["open", "planned", "closed"],
                        false,
                    ))
                    .col(
                        integer_null(Facility::Capacity)
                            .check(column::check("\"capacity\" >= 1"))
                            .take(),
                    )
                    .col(integer_null(Facility::OpenedYear))
                    .col(string_null(Facility::Operator))
                    .col(column::enumeration(
                        Facility::ManagedBy,
                        &[
                            "national_prison_administration",
                            "other_public",
                            "ngo",
                            "private",
                        ],
                        true,
                    ))
                    .col(column::enumeration(
                        Facility::Population,
                        &["men", "women", "mixed", "youth"],
                        true,
                    ))
                    .col(column::enumeration(
                        Facility::TargetAge,
                        &["adults", "youth", "young_adults", "all"],
                        true,
                    ))
                    .col(column::enumeration(
                        Facility::Regime,
                        &["open", "semi_open", "closed"],
                        true,
                    ))
                    .col(column::enumeration(
                        Facility::SecurityLevel,
                        &["low", "medium", "high"],
                        true,
                    ))
                    .col(boolean_null(Facility::SocialEnterprise))
                    .col(json_null(Facility::Description))
                    .col(text_null(Facility::Website))
                    .col(text_null(Facility::SourceUrl))
                    .col(integer_null(Facility::MaintainedById))
                    .col(column::sort_key(manager, Facility::SortName))
                    .col(text(Facility::SearchText))
                    .col(column::version())
                    .col(created_at)
                    .col(updated_at)
                    .foreign_key(&mut column::fk(
                        "fk_facility_maintained_by",
                        (Facility::Table, Facility::MaintainedById),
                        (Organisation::Table, Organisation::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;

        for (name, cols) in [
            (
                "idx_facility_country_code",
                vec![Facility::CountryCode, Facility::SortName],
            ),
            ("idx_facility_facility_type", vec![Facility::FacilityType]),
            ("idx_facility_status", vec![Facility::Status]),
            (
                "idx_facility_sort_name",
                vec![Facility::SortName, Facility::Id],
            ),
            ("idx_facility_capacity", vec![Facility::Capacity]),
            ("idx_facility_opened_year", vec![Facility::OpenedYear]),
            ("idx_facility_updated_at", vec![Facility::UpdatedAt]),
            ("idx_facility_maintained_by", vec![Facility::MaintainedById]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Facility::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(FacilityPrinciple::Table)
                    .if_not_exists()
                    .col(integer(FacilityPrinciple::FacilityId))
                    .col(column::enumeration(
                        FacilityPrinciple::Principle,
                        &["small_scale", "differentiation", "community_integration"],
                        false,
                    ))
                    .primary_key(
                        Index::create()
                            .col(FacilityPrinciple::FacilityId)
                            .col(FacilityPrinciple::Principle),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_facility_principle_facility",
                        (FacilityPrinciple::Table, FacilityPrinciple::FacilityId),
                        (Facility::Table, Facility::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_facility_principle_principle")
                    .table(FacilityPrinciple::Table)
                    .col(FacilityPrinciple::Principle)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(FacilityEcosystemNote::Table)
                    .if_not_exists()
                    .col(integer(FacilityEcosystemNote::FacilityId))
                    .col(column::enumeration(
                        FacilityEcosystemNote::Dimension,
                        ECOSYSTEM_DIMENSIONS,
                        false,
                    ))
                    .col(text(FacilityEcosystemNote::Note))
                    .primary_key(
                        Index::create()
                            .col(FacilityEcosystemNote::FacilityId)
                            .col(FacilityEcosystemNote::Dimension),
                    )
                    .foreign_key(&mut column::fk(
                        "fk_facility_ecosystem_note_facility",
                        (
                            FacilityEcosystemNote::Table,
                            FacilityEcosystemNote::FacilityId,
                        ),
                        (Facility::Table, Facility::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FacilityEcosystemNote::Table.into_iden(),
            FacilityPrinciple::Table.into_iden(),
            Facility::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

// Column names follow the table; `FacilityType` repeating it is the column's real name.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden, Clone)]
pub enum Facility {
    Table,
    Id,
    Slug,
    Name,
    CountryCode,
    City,
    Latitude,
    Longitude,
    FacilityType,
    Status,
    Capacity,
    OpenedYear,
    Operator,
    ManagedBy,
    Population,
    TargetAge,
    Regime,
    SecurityLevel,
    SocialEnterprise,
    Description,
    Website,
    SourceUrl,
    MaintainedById,
    SortName,
    SearchText,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum FacilityPrinciple {
    Table,
    FacilityId,
    Principle,
}

#[derive(DeriveIden, Clone)]
enum FacilityEcosystemNote {
    Table,
    FacilityId,
    Dimension,
    Note,
}
