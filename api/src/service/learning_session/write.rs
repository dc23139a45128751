//! Learning sessions with their participants (editors and admins write
//! them): the hooks of [`Record`] for the write steps of the kernel.

use async_trait::async_trait;
use chrono::NaiveDate;
use entity::learning_session_participant::Column as ParticipantLink;
use entity::value::{LocalizedText, SessionLevel, SessionTopic};
use entity::{guideline_version_session, learning_session};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::kernel::link::Link;
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::text;
use crate::service::kernel::unit_of_work::Write;
use crate::service::kernel::validate::{self, Problems};
use crate::service::visit::write::{Activity, check_activity};

/// Every editable field of a learning session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionFields {
    pub title: String,
    pub held_on: NaiveDate,
    pub level: SessionLevel,
    pub country_code: Option<String>,
    pub topic: SessionTopic,
    pub workshop_id: Option<i32>,
    pub outcomes: Option<LocalizedText>,
    pub participants: Vec<i32>,
}

/// A learning session, as the write steps see it.
pub struct LearningSession;

/// The lists of a learning session that link tables hold.
const PARTICIPANTS: Link<ParticipantLink> =
    Link(ParticipantLink::SessionId, ParticipantLink::StakeholderId);

#[async_trait]
impl Record for LearningSession {
    type Entity = learning_session::Entity;
    type Fields = SessionFields;
    type Resolved = ();

    const EDITORS_ONLY: Option<&'static str> = Some("writing learning sessions");

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &learning_session::Model,
    ) -> Result<SessionFields> {
        let participants = PARTICIPANTS.ids(db, model.id).await?;
        Ok(SessionFields {
            title: model.title.clone(),
            held_on: model.held_on,
            level: model.level,
            country_code: model.country_code.clone(),
            topic: model.topic,
            workshop_id: model.workshop_id,
            outcomes: model.outcomes.clone(),
            participants,
        })
    }

    /// Normalises what it may: title, country code, participant order.
    async fn check(
        write: &Write,
        fields: &mut SessionFields,
        _current: Option<&learning_session::Model>,
    ) -> Result<()> {
        let mut problems = Problems::new();
        fields.title = fields.title.trim().to_owned();
        problems.check("input.title", validate::name(&fields.title));
        problems.check("input.heldOn", validate::activity_date(fields.held_on));
        if let Some(code) = &fields.country_code {
            match validate::country_code(code) {
                Ok(code) => fields.country_code = Some(code),
                Err(message) => problems.add("input.countryCode", message),
            }
        } else if fields.level == SessionLevel::National {
            problems.add(
                "input.countryCode",
                "a national learning session names its country",
            );
        }
        check_activity(
            write.txn(),
            &mut problems,
            &Activity {
                what: "a learning session",
                workshop_id: fields.workshop_id,
                prose_field: "input.outcomes",
                prose: fields.outcomes.as_ref(),
                participants: &fields.participants,
            },
        )
        .await?;
        problems.finish()?;
        fields.participants.sort_unstable();
        Ok(())
    }

    fn row(fields: &SessionFields, (): &(), stamp: Stamp) -> learning_session::ActiveModel {
        let mut searched = vec![fields.title.as_str()];
        if let Some(outcomes) = &fields.outcomes {
            searched.extend(outcomes.0.values().map(String::as_str));
        }
        learning_session::ActiveModel {
            title: Set(fields.title.clone()),
            held_on: Set(fields.held_on),
            level: Set(fields.level),
            country_code: Set(fields.country_code.clone()),
            topic: Set(fields.topic),
            workshop_id: Set(fields.workshop_id),
            outcomes: Set(fields.outcomes.clone()),
            search_text: Set(text::fold_all(searched)),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &SessionFields,
        before: Option<&SessionFields>,
    ) -> Result<()> {
        PARTICIPANTS
            .save(db, id, fields, before, |f| &f.participants)
            .await
    }

    /// The provenance of a guideline version stays whole.
    async fn before_delete(write: &Write, current: &learning_session::Model) -> Result<()> {
        let informed = guideline_version_session::Entity::find()
            .filter(guideline_version_session::Column::SessionId.eq(current.id))
            .count(write.txn())
            .await?
            + entity::guideline_rule_session::Entity::find()
                .filter(entity::guideline_rule_session::Column::SessionId.eq(current.id))
                .count(write.txn())
                .await?;
        if informed > 0 {
            return Err(AppError::Conflict(format!(
                "this learning session informed {informed} guideline version(s) or rule(s), whose provenance must stay whole; it cannot be deleted"
            )));
        }
        Ok(())
    }
}
