//! Small-scale detention facilities: the records the map shows.

use sea_orm::entity::prelude::*;

use crate::value::{
    FacilityStatus, FacilityType, LocalizedText, LocationPrecision, ManagedBy, Population, Regime,
    SecurityLevel, Sources, TargetAge,
};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "facility")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Stable across installations: the record's identity in global ids, exports and imports.
    #[sea_orm(unique)]
    pub uuid: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    /// ISO 3166-1 alpha-2, upper case.
    pub country_code: String,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// How exactly `latitude` and `longitude` place it; `None`: not stated.
    pub location_precision: Option<LocationPrecision>,
    pub facility_type: FacilityType,
    pub status: FacilityStatus,
    pub capacity: Option<i32>,
    pub opened_year: Option<i32>,
    pub operator: Option<String>,
    pub managed_by: Option<ManagedBy>,
    pub population: Option<Population>,
    pub target_age: Option<TargetAge>,
    pub regime: Option<Regime>,
    pub security_level: Option<SecurityLevel>,
    pub social_enterprise: Option<bool>,
    pub description: Option<LocalizedText>,
    pub website: Option<String>,
    pub sources: Sources,
    /// The day an editor last checked the record against its sources.
    pub verified_on: Option<Date>,
    pub maintained_by_id: Option<i32>,
    /// Name folded to lower-case ASCII, so that both databases order alike.
    pub sort_name: String,
    /// Name, city and descriptions folded to lower-case ASCII, for `text` filters.
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::MaintainedById",
        to = "super::organisation::Column::Id"
    )]
    Organisation,
    #[sea_orm(has_many = "super::facility_principle::Entity")]
    FacilityPrinciple,
    #[sea_orm(has_many = "super::facility_ecosystem_note::Entity")]
    FacilityEcosystemNote,
    #[sea_orm(has_many = "super::facility_external_ref::Entity")]
    FacilityExternalRef,
    #[sea_orm(has_many = "super::visit::Entity")]
    Visit,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organisation.def()
    }
}

impl Related<super::facility_principle::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FacilityPrinciple.def()
    }
}

impl Related<super::facility_ecosystem_note::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FacilityEcosystemNote.def()
    }
}

impl Related<super::facility_external_ref::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::FacilityExternalRef.def()
    }
}

impl Related<super::visit::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Visit.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
