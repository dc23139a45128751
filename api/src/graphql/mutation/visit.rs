//! Creating, changing and deleting visits and learning sessions.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};

use super::facility::EcosystemNoteInput;
use super::{TranslationInput, decode_ids, decode_opt, localized_opt};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::enums::{SessionLevel, SessionTopic};
use crate::graphql::types::scalar::Date;
use crate::graphql::types::visit::{LearningSession, Visit};
use crate::service::kernel::record;
use crate::service::learning_session::write::{
    LearningSession as LearningSessionRecord, SessionFields,
};
use crate::service::visit::write::{Visit as VisitRecord, VisitFields};

/// A new study visit. Partners record visits to the facilities they maintain.
#[derive(InputObject, Debug)]
pub struct VisitInput {
    /// The facility visited.
    pub facility: ID,
    /// The day of the visit (from 2000 to two years ahead).
    pub visited_on: Date,
    /// The organising knowledge workshop.
    pub workshop: Option<ID>,
    /// Stakeholders who took part.
    pub participants: Option<Vec<ID>>,
    /// Summary in one or more languages; English is required when any is given.
    pub summary: Option<Vec<TranslationInput>>,
    /// What the visit found, per ecosystem dimension.
    pub findings: Option<Vec<EcosystemNoteInput>>,
}

/// Changes to a visit: an absent field stays; `null` clears an optional one; a list replaces the list.
#[derive(InputObject, Debug, Default)]
pub struct VisitPatch {
    /// Move the visit to another facility (which the caller must also maintain).
    pub facility: Option<ID>,
    /// The day of the visit.
    pub visited_on: Option<Date>,
    /// The organising knowledge workshop.
    pub workshop: MaybeUndefined<ID>,
    /// Stakeholders who took part (replaces the list).
    pub participants: Option<Vec<ID>>,
    /// Summary (replaces every translation).
    pub summary: MaybeUndefined<Vec<TranslationInput>>,
    /// Findings (replaces every finding).
    pub findings: Option<Vec<EcosystemNoteInput>>,
}

/// A new learning session (editors and admins).
#[derive(InputObject, Debug)]
pub struct LearningSessionInput {
    /// Title (at most 200 characters).
    pub title: String,
    /// The day it was held (from 2000 to two years ahead).
    pub held_on: Date,
    /// National or European.
    pub level: SessionLevel,
    /// ISO 3166-1 alpha-2 country code; required for a national session.
    pub country_code: Option<String>,
    /// What it is about.
    pub topic: SessionTopic,
    /// The organising knowledge workshop.
    pub workshop: Option<ID>,
    /// Stakeholders who took part.
    pub participants: Option<Vec<ID>>,
    /// Outcomes in one or more languages; English is required when any is given.
    pub outcomes: Option<Vec<TranslationInput>>,
}

/// Changes to a learning session: an absent field stays; `null` clears an optional one.
#[derive(InputObject, Debug, Default)]
pub struct LearningSessionPatch {
    /// Title.
    pub title: Option<String>,
    /// The day it was held.
    pub held_on: Option<Date>,
    /// National or European.
    pub level: Option<SessionLevel>,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: MaybeUndefined<String>,
    /// What it is about.
    pub topic: Option<SessionTopic>,
    /// The organising knowledge workshop.
    pub workshop: MaybeUndefined<ID>,
    /// Stakeholders who took part (replaces the list).
    pub participants: Option<Vec<ID>>,
    /// Outcomes (replaces every translation).
    pub outcomes: MaybeUndefined<Vec<TranslationInput>>,
}

fn findings(
    items: Option<Vec<EcosystemNoteInput>>,
) -> Vec<(entity::value::EcosystemDimension, String)> {
    items
        .unwrap_or_default()
        .into_iter()
        .map(|n| (n.dimension.into(), n.note))
        .collect()
}

/// An optional reference in a patch, decoded: absent, cleared, or a row id.
fn decode_maybe(
    id: MaybeUndefined<ID>,
    kind: Kind,
    field: &str,
) -> Result<MaybeUndefined<i32>, AppError> {
    match id {
        MaybeUndefined::Undefined => Ok(MaybeUndefined::Undefined),
        MaybeUndefined::Null => Ok(MaybeUndefined::Null),
        MaybeUndefined::Value(id) => id::decode(&id, kind, field).map(MaybeUndefined::Value),
    }
}

/// Prose in a patch, checked: absent, cleared, or text.
fn prose_maybe(
    items: MaybeUndefined<Vec<TranslationInput>>,
    field: &str,
) -> Result<MaybeUndefined<entity::value::LocalizedText>, AppError> {
    match items {
        MaybeUndefined::Undefined => Ok(MaybeUndefined::Undefined),
        MaybeUndefined::Null => Ok(MaybeUndefined::Null),
        MaybeUndefined::Value(items) => Ok(match localized_opt(field, Some(items))? {
            Some(text) => MaybeUndefined::Value(text),
            None => MaybeUndefined::Null,
        }),
    }
}

#[derive(Default)]
pub struct ActivityMutation;

#[Object]
impl ActivityMutation {
    /// Records a study visit (partners: to a facility they maintain; editors and admins: any).
    async fn create_visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to write.")] input: VisitInput,
    ) -> Result<Visit> {
        let actor = context::actor(ctx)?;
        let fields = VisitFields {
            facility_id: id::decode(&input.facility, Kind::Facility, "input.facility")?,
            visited_on: input.visited_on.0,
            workshop_id: decode_opt(
                input.workshop.as_ref(),
                Kind::KnowledgeWorkshop,
                "input.workshop",
            )?,
            summary: localized_opt("input.summary", input.summary)?,
            participants: decode_ids(
                &input.participants.unwrap_or_default(),
                Kind::Stakeholder,
                "input.participants",
            )?,
            findings: findings(input.findings),
        };
        Ok(
            record::create::<VisitRecord>(context::db(ctx), actor, fields)
                .await?
                .into(),
        )
    }

    /// Changes a visit; a stale `expectedVersion` is a `CONFLICT` and changes nothing.
    async fn update_visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to write.")] input: VisitPatch,
    ) -> Result<Visit> {
        let actor = context::actor(ctx)?;
        let row = id::decode(&id, Kind::Visit, "id")?;
        let facility = decode_opt(input.facility.as_ref(), Kind::Facility, "input.facility")?;
        let workshop = decode_maybe(input.workshop, Kind::KnowledgeWorkshop, "input.workshop")?;
        let participants = input
            .participants
            .map(|p| decode_ids(&p, Kind::Stakeholder, "input.participants"))
            .transpose()?;
        let summary = prose_maybe(input.summary, "input.summary")?;
        let new_findings = input.findings.map(|f| findings(Some(f)));
        let visited_on = input.visited_on;
        let model =
            record::update::<VisitRecord>(context::db(ctx), actor, row, expected_version, |f| {
                if let Some(v) = facility {
                    f.facility_id = v;
                }
                if let Some(v) = visited_on {
                    f.visited_on = v.0;
                }
                workshop.update_to(&mut f.workshop_id);
                if let Some(v) = participants {
                    f.participants = v;
                }
                summary.update_to(&mut f.summary);
                if let Some(v) = new_findings {
                    f.findings = v;
                }
            })
            .await?;
        Ok(model.into())
    }

    /// Deletes a visit that informed no guideline version (admins only); returns its id.
    async fn delete_visit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
    ) -> Result<ID> {
        let actor = context::actor(ctx)?;
        let row = id::decode(&id, Kind::Visit, "id")?;
        record::delete::<VisitRecord>(context::db(ctx), actor, row, expected_version).await?;
        Ok(id)
    }

    /// Records a learning session (editors and admins).
    async fn create_learning_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to write.")] input: LearningSessionInput,
    ) -> Result<LearningSession> {
        let actor = context::actor(ctx)?;
        let fields = SessionFields {
            title: input.title,
            held_on: input.held_on.0,
            level: input.level.into(),
            country_code: input.country_code,
            topic: input.topic.into(),
            workshop_id: decode_opt(
                input.workshop.as_ref(),
                Kind::KnowledgeWorkshop,
                "input.workshop",
            )?,
            outcomes: localized_opt("input.outcomes", input.outcomes)?,
            participants: decode_ids(
                &input.participants.unwrap_or_default(),
                Kind::Stakeholder,
                "input.participants",
            )?,
        };
        Ok(
            record::create::<LearningSessionRecord>(context::db(ctx), actor, fields)
                .await?
                .into(),
        )
    }

    /// Changes a learning session; a stale `expectedVersion` is a `CONFLICT` and changes nothing.
    async fn update_learning_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to write.")] input: LearningSessionPatch,
    ) -> Result<LearningSession> {
        let actor = context::actor(ctx)?;
        let row = id::decode(&id, Kind::LearningSession, "id")?;
        let workshop = decode_maybe(input.workshop, Kind::KnowledgeWorkshop, "input.workshop")?;
        let participants = input
            .participants
            .map(|p| decode_ids(&p, Kind::Stakeholder, "input.participants"))
            .transpose()?;
        let outcomes = prose_maybe(input.outcomes, "input.outcomes")?;
        let (title, held_on, level, topic, country_code) = (
            input.title,
            input.held_on,
            input.level,
            input.topic,
            input.country_code,
        );
        let model = record::update::<LearningSessionRecord>(
            context::db(ctx),
            actor,
            row,
            expected_version,
            |f| {
                if let Some(v) = title {
                    f.title = v;
                }
                if let Some(v) = held_on {
                    f.held_on = v.0;
                }
                if let Some(v) = level {
                    f.level = v.into();
                }
                if let Some(v) = topic {
                    f.topic = v.into();
                }
                country_code.update_to(&mut f.country_code);
                workshop.update_to(&mut f.workshop_id);
                if let Some(v) = participants {
                    f.participants = v;
                }
                outcomes.update_to(&mut f.outcomes);
            },
        )
        .await?;
        Ok(model.into())
    }

    /// Deletes a learning session that informed no guideline version (admins only); returns its id.
    async fn delete_learning_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
    ) -> Result<ID> {
        let actor = context::actor(ctx)?;
        let row = id::decode(&id, Kind::LearningSession, "id")?;
        record::delete::<LearningSessionRecord>(context::db(ctx), actor, row, expected_version)
            .await?;
        Ok(id)
    }
}
