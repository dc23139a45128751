//! Reading stakeholders. Contact details are guarded in the GraphQL layer,
//! and never searched: `search_text` holds public fields only.

pub mod write;

use entity::value::StakeholderKind;
use entity::{knowledge_workshop, stakeholder, workshop_membership};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryOrder, Select};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::condition::{one_of, text_condition};
use crate::service::kernel::country;
use crate::service::kernel::page::Listing;
use crate::service::kernel::read;

/// Which stakeholders to return. Absent or empty lists place no constraint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub kind: Vec<StakeholderKind>,
    pub country_code: Vec<String>,
    pub workshop_id: Option<i32>,
    pub text: Option<String>,
}

impl Listing for Filter {
    type Entity = stakeholder::Entity;

    const NAME: &'static str = "stakeholder";

    fn condition(&self) -> Result<Condition> {
        let mut cond = Condition::all();
        cond = one_of(cond, stakeholder::Column::Kind, &self.kind);
        if !self.country_code.is_empty() {
            let codes = country::normalize_all(&self.country_code, "filter.countryCode")?;
            cond = one_of(cond, stakeholder::Column::CountryCode, &codes);
        }
        if let Some(workshop_id) = self.workshop_id {
            cond = cond.add(
                stakeholder::Column::Id.in_subquery(
                    Query::select()
                        .column(workshop_membership::Column::StakeholderId)
                        .from(workshop_membership::Entity)
                        .and_where(workshop_membership::Column::WorkshopId.eq(workshop_id))
                        .to_owned(),
                ),
            );
        }
        if let Some(words) = &self.text {
            cond = text_condition(cond, stakeholder::Column::SearchText, words, "filter.text")?;
        }
        Ok(cond)
    }

    /// By name.
    fn order(select: Select<stakeholder::Entity>) -> Select<stakeholder::Entity> {
        select
            .order_by_asc(stakeholder::Column::SortName)
            .order_by_asc(stakeholder::Column::Id)
    }
}

/// The workshops of many stakeholders, as (stakeholder id, workshop).
///
/// # Errors
/// Database errors.
pub async fn workshops_of(
    db: &impl ConnectionTrait,
    stakeholder_ids: &[i32],
) -> Result<Vec<(i32, knowledge_workshop::Model)>> {
    let by_key = [knowledge_workshop::Column::Key];
    let parent = workshop_membership::Column::StakeholderId;
    read::linked(db, parent, stakeholder_ids, &by_key).await
}
