//! What another register calls a facility: one reference per scheme, and a
//! scheme's value names one facility only.

use sea_orm::entity::prelude::*;

use crate::value::RefScheme;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "facility_external_ref")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub facility_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub scheme: RefScheme,
    pub value: String,
    pub url: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::facility::Entity",
        from = "Column::FacilityId",
        to = "super::facility::Column::Id",
        on_delete = "Cascade"
    )]
    Facility,
}

impl Related<super::facility::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Facility.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
