//! Reading learning sessions and their participants.

pub mod write;

use chrono::NaiveDate;
use entity::value::{SessionLevel, SessionTopic};
use entity::{learning_session, learning_session_participant, stakeholder};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryOrder, Select};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::condition::{one_of, text_condition};
use crate::service::kernel::country;
use crate::service::kernel::page::Listing;
use crate::service::kernel::read;

/// Which learning sessions to return. Absent or empty lists place no constraint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub level: Vec<SessionLevel>,
    pub topic: Vec<SessionTopic>,
    pub country_code: Vec<String>,
    pub workshop_id: Option<i32>,
    pub held_from: Option<NaiveDate>,
    pub held_to: Option<NaiveDate>,
    pub text: Option<String>,
}

impl Listing for Filter {
    type Entity = learning_session::Entity;

    const NAME: &'static str = "learning-session";

    fn condition(&self) -> Result<Condition> {
        let mut cond = Condition::all();
        cond = one_of(cond, learning_session::Column::Level, &self.level);
        cond = one_of(cond, learning_session::Column::Topic, &self.topic);
        if !self.country_code.is_empty() {
            let codes = country::normalize_all(&self.country_code, "filter.countryCode")?;
            cond = one_of(cond, learning_session::Column::CountryCode, &codes);
        }
        if let Some(id) = self.workshop_id {
            cond = cond.add(learning_session::Column::WorkshopId.eq(id));
        }
        if let Some(from) = self.held_from {
            cond = cond.add(learning_session::Column::HeldOn.gte(from));
        }
        if let Some(to) = self.held_to {
            cond = cond.add(learning_session::Column::HeldOn.lte(to));
        }
        if let Some(words) = &self.text {
            cond = text_condition(
                cond,
                learning_session::Column::SearchText,
                words,
                "filter.text",
            )?;
        }
        Ok(cond)
    }

    /// Most recent first.
    fn order(select: Select<learning_session::Entity>) -> Select<learning_session::Entity> {
        select
            .order_by_desc(learning_session::Column::HeldOn)
            .order_by_desc(learning_session::Column::Id)
    }
}

/// Participants of many sessions, as (session id, stakeholder), by name.
///
/// # Errors
/// Database errors.
pub async fn participants_of(
    db: &impl ConnectionTrait,
    session_ids: &[i32],
) -> Result<Vec<(i32, stakeholder::Model)>> {
    // By name, then by record: two people of one name keep one order on
    // every read and backend.
    let by_name = [stakeholder::Column::SortName, stakeholder::Column::Id];
    let parent = learning_session_participant::Column::SessionId;
    read::linked(db, parent, session_ids, &by_name).await
}
