//! Creating, changing and deleting study visits.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Result};

use super::facility::{EcosystemNoteInput, notes};
use super::{
    RecordInput, RecordPatch, TranslationInput, decode_all, decode_list, decode_maybe, decode_opt,
    localized_opt, prose_maybe, set,
};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::scalar::Date;
use crate::graphql::types::visit::Visit;
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

/// The workshop that organised an activity (a visit, a learning session),
/// as its input names it.
pub(super) async fn organiser(ctx: &Context<'_>, id: Option<&ID>) -> Result<Option<i32>, AppError> {
    decode_opt(ctx, id, Kind::KnowledgeWorkshop, "input.workshop").await
}

/// The stakeholders who took part in an activity, as its input names them.
pub(super) async fn participants(
    ctx: &Context<'_>,
    ids: Option<Vec<ID>>,
) -> Result<Vec<i32>, AppError> {
    decode_all(ctx, ids, Kind::Stakeholder, "input.participants").await
}

impl RecordInput for VisitInput {
    type Record = VisitRecord;

    async fn decode(self, ctx: &Context<'_>) -> Result<VisitFields, AppError> {
        Ok(VisitFields {
            facility_id: id::row(
                context::db(ctx),
                &self.facility,
                Kind::Facility,
                "input.facility",
            )
            .await?,
            visited_on: self.visited_on.0,
            workshop_id: organiser(ctx, self.workshop.as_ref()).await?,
            summary: localized_opt("input.summary", self.summary)?,
            participants: participants(ctx, self.participants).await?,
            findings: notes(self.findings.unwrap_or_default()),
        })
    }
}

impl RecordPatch for VisitPatch {
    type Record = VisitRecord;

    async fn decode(
        self,
        ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut VisitFields) + Send, AppError> {
        let Self {
            facility,
            visited_on,
            workshop,
            participants,
            summary,
            findings,
        } = self;
        let facility = decode_opt(ctx, facility.as_ref(), Kind::Facility, "input.facility").await?;
        let workshop =
            decode_maybe(ctx, workshop, Kind::KnowledgeWorkshop, "input.workshop").await?;
        let participants =
            decode_list(ctx, participants, Kind::Stakeholder, "input.participants").await?;
        let summary = prose_maybe(summary, "input.summary")?;
        let findings = findings.map(notes);
        Ok(move |f: &mut VisitFields| {
            set(&mut f.facility_id, facility);
            set(&mut f.visited_on, visited_on.map(|d| d.0));
            workshop.update_to(&mut f.workshop_id);
            set(&mut f.participants, participants);
            summary.update_to(&mut f.summary);
            set(&mut f.findings, findings);
        })
    }
}

record_writes! {
    /// The writes of study visits.
    VisitMutation: VisitRecord => Visit, Kind::Visit;
    /// Records a study visit (partners: to a facility they maintain; editors and admins: any).
    create_visit(VisitInput);
    /// Changes a visit; a stale `expectedVersion` is a `CONFLICT` and changes nothing.
    update_visit(VisitPatch);
    /// Deletes a visit that informed no guideline version nor rule (admins only); returns its id.
    delete_visit;
}
