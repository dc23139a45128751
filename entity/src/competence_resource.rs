//! A link of the competence framework: the resources that treat a competence.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "competence_resource")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub competence_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::competence::Entity",
        from = "Column::CompetenceId",
        to = "super::competence::Column::Id",
        on_delete = "Cascade"
    )]
    Competence,
    #[sea_orm(
        belongs_to = "super::resource::Entity",
        from = "Column::ResourceId",
        to = "super::resource::Column::Id",
        on_delete = "Cascade"
    )]
    Resource,
}

impl Related<super::competence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Competence.def()
    }
}

impl Related<super::resource::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resource.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
