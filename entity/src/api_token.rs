//! The register of issued tokens, by their `jti`: never the token itself.

use sea_orm::entity::prelude::*;

use crate::value::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The token's `jti` claim.
    #[sea_orm(unique)]
    pub jti: String,
    pub subject: String,
    pub role: Role,
    /// A partner's organisation slug.
    pub organisation: Option<String>,
    /// What the token is for, in the issuer's words.
    pub label: Option<String>,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// The admin who issued it; none when the command line did.
    pub issued_by: Option<String>,
    pub revoked_at: Option<DateTimeUtc>,
    /// The admin who revoked it; none when the command line did.
    pub revoked_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
