//! The authors of a resource, in the order the work names them: a
//! stakeholder (a person or organisation, shown under the stakeholders'
//! consent rules) or an organisation named by text.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resource_author")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub stakeholder_id: Option<i32>,
    /// An organisation that is not a stakeholder; never a person's name.
    pub organisation: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::resource::Entity",
        from = "Column::ResourceId",
        to = "super::resource::Column::Id",
        on_delete = "Cascade"
    )]
    Resource,
    #[sea_orm(
        belongs_to = "super::stakeholder::Entity",
        from = "Column::StakeholderId",
        to = "super::stakeholder::Column::Id"
    )]
    Stakeholder,
}

impl Related<super::resource::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resource.def()
    }
}

impl Related<super::stakeholder::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Stakeholder.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
