//! Stakeholders: the people and organisations in the knowledge workshops,
//! their kinds, their consent, how others see them as participants, their
//! counts, and their connection. What a caller who is not an editor or an
//! admin sees of a person is what that person consented to (see
//! [`crate::service::stakeholder::Audience`]).

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::stakeholder;
use entity::value as db;

use super::change::AuditEvent;
use super::connection::connection;
use super::learning_session::LearningSession;
use super::record::record;
use super::revision::Revision;
use super::visit::Visit;
use super::workshop::{KnowledgeWorkshop, MemberRole};
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{StakeholderMemberships, StakeholderWorkshops};
use crate::service::stakeholder::{Audience, MIN_PUBLIC_COUNT, erase};

/// The perspective a stakeholder brings.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::StakeholderKind")]
pub enum StakeholderKind {
    /// Practitioners working in detention.
    Practice,
    /// Policy makers.
    Policy,
    /// Researchers.
    Research,
    /// People with lived experience of detention.
    LivedExperience,
    /// Education and training.
    Education,
    /// The community around a facility.
    Community,
}

/// The discipline a stakeholder works in.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Discipline")]
pub enum Discipline {
    /// Law.
    Law,
    /// Criminology.
    Criminology,
    /// Psychology.
    Psychology,
    /// Social work.
    SocialWork,
    /// Health care, forensic care among it.
    HealthCare,
    /// Education and training.
    Education,
    /// Architecture and design.
    Architecture,
    /// Public administration and policy.
    PublicAdministration,
    /// Security.
    Security,
    /// Another discipline.
    Other,
}

/// A stakeholder's gender, recorded only with their consent.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::Gender")]
pub enum Gender {
    /// A woman.
    Woman,
    /// A man.
    Man,
    /// Non-binary.
    NonBinary,
    /// Another gender.
    Other,
}

/// A stakeholder's age band, recorded only with their consent.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::AgeBand")]
pub enum AgeBand {
    /// Under 25.
    #[graphql(name = "UNDER_25")]
    Under25,
    /// 25 to 34.
    #[graphql(name = "FROM_25_TO_34")]
    From25To34,
    /// 35 to 44.
    #[graphql(name = "FROM_35_TO_44")]
    From35To44,
    /// 45 to 54.
    #[graphql(name = "FROM_45_TO_54")]
    From45To54,
    /// 55 to 64.
    #[graphql(name = "FROM_55_TO_64")]
    From55To64,
    /// 65 and over.
    #[graphql(name = "FROM_65")]
    From65,
}

/// One of a stakeholder's memberships: a knowledge workshop and their role in it.
#[derive(Clone, Debug)]
pub struct WorkshopMembership {
    pub workshop: entity::knowledge_workshop::Model,
    pub role: db::MemberRole,
}

/// One of a stakeholder's memberships: a knowledge workshop and their role in it.
#[Object]
impl WorkshopMembership {
    /// The workshop.
    async fn workshop(&self) -> KnowledgeWorkshop {
        self.workshop.clone().into()
    }
    /// What they do in its network.
    async fn role(&self) -> MemberRole {
        self.role.into()
    }
}

record! {
    /// A person or organisation taking part in a knowledge workshop.
    Stakeholder(stakeholder::Model)
}

connection!(Stakeholder, StakeholderConnection, StakeholderEdge);

/// Fails with `FORBIDDEN` for callers other than editors and admins.
fn editors_only(ctx: &Context<'_>, field: &str) -> Result<()> {
    if context::caller(ctx).is_editor() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "`{field}` is personal data: only editors and admins may read it"
        ))
        .into())
    }
}

fn personal_data(ctx: &Context<'_>, value: Option<&str>, field: &str) -> Result<Option<String>> {
    editors_only(ctx, field)?;
    Ok(value.map(str::to_owned))
}

/// What a person agreed to make public, and when and by whom that was recorded.
#[derive(SimpleObject, Clone, Debug)]
pub struct Consent {
    /// Their name may be public: without it, callers other than editors and
    /// admins do not see them as a record, only as an anonymous participant.
    pub name: bool,
    /// Their organisation and country may be public.
    pub affiliation: bool,
    /// Their kind may be public (for `LIVED_EXPERIENCE`: that they were detained).
    pub kind: bool,
    /// Their gender and age band may be recorded, to be counted (never shown
    /// one by one) in the balance of their workshops.
    pub demographics: bool,
    /// When the consent was last recorded (the server sets it when a write
    /// changes the consent); null while none was ever recorded.
    pub recorded_at: Option<DateTime<Utc>>,
    /// The subject (`sub`) of the token that recorded it; null for the command line.
    pub recorded_by: Option<String>,
}

/// A person or organisation taking part in a knowledge workshop.
#[Object]
impl Stakeholder {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Stakeholder, self.0.uuid)
    }
    /// Name of the person or organisation (empty once erased).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The perspective they bring; null for callers other than editors and
    /// admins unless the person consented to a public kind (and for
    /// everyone once erased).
    async fn kind(&self, ctx: &Context<'_>) -> Option<StakeholderKind> {
        context::audience(ctx)
            .sees_kind(&self.0)
            .then(|| self.0.kind.into())
    }
    /// The organisation they belong to; null for callers other than editors
    /// and admins unless the person consented to a public affiliation.
    async fn organisation(&self, ctx: &Context<'_>) -> Option<&str> {
        context::audience(ctx)
            .sees_affiliation(&self.0)
            .then_some(self.0.organisation.as_deref())
            .flatten()
    }
    /// ISO 3166-1 alpha-2 country code; null for callers other than editors
    /// and admins unless the person consented to a public affiliation.
    async fn country_code(&self, ctx: &Context<'_>) -> Option<&str> {
        context::audience(ctx)
            .sees_affiliation(&self.0)
            .then_some(self.0.country_code.as_deref())
            .flatten()
    }
    /// The knowledge workshops they belong to (at most the project's four).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::workshop::MAX_WORKSHOPS, child_complexity)"
    )]
    async fn workshops(&self, ctx: &Context<'_>) -> Result<Vec<KnowledgeWorkshop>> {
        Ok(context::load_all(ctx, StakeholderWorkshops(self.0.id)).await?)
    }
    /// The knowledge workshops they belong to with their role in each (at
    /// most the project's four), by workshop key.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::workshop::MAX_WORKSHOPS, child_complexity)"
    )]
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<WorkshopMembership>> {
        let rows = context::load(ctx, StakeholderMemberships(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|(workshop, role)| WorkshopMembership { workshop, role })
            .collect())
    }
    /// The discipline they work in. Personal data: editors and admins
    /// only; others get `FORBIDDEN`, and see it only counted, in
    /// `KnowledgeWorkshop.balance`.
    async fn discipline(&self, ctx: &Context<'_>) -> Result<Option<Discipline>> {
        editors_only(ctx, "discipline")?;
        Ok(self.0.discipline.map(Into::into))
    }
    /// Their gender, recorded only with their consent
    /// (`consent.demographics`). Personal data: editors and admins only.
    async fn gender(&self, ctx: &Context<'_>) -> Result<Option<Gender>> {
        editors_only(ctx, "gender")?;
        Ok(self.0.gender.map(Into::into))
    }
    /// Their age band, recorded only with their consent
    /// (`consent.demographics`). Personal data: editors and admins only.
    async fn age_band(&self, ctx: &Context<'_>) -> Result<Option<AgeBand>> {
        editors_only(ctx, "ageBand")?;
        Ok(self.0.age_band.map(Into::into))
    }
    /// E-mail address. Personal data: editors and admins only; others get `FORBIDDEN`.
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        personal_data(ctx, self.0.email.as_deref(), "email")
    }
    /// Phone number. Personal data: editors and admins only; others get `FORBIDDEN`.
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        personal_data(ctx, self.0.phone.as_deref(), "phone")
    }
    /// What the person consented to make public. Editors and admins only;
    /// others get `FORBIDDEN`.
    async fn consent(&self, ctx: &Context<'_>) -> Result<Consent> {
        editors_only(ctx, "consent")?;
        Ok(Consent {
            name: self.0.consent_name,
            affiliation: self.0.consent_affiliation,
            kind: self.0.consent_kind,
            demographics: self.0.consent_demographics,
            recorded_at: self.0.consent_recorded_at,
            recorded_by: self.0.consent_recorded_by.clone(),
        })
    }
    /// When the person was erased (`eraseStakeholder`); null otherwise.
    async fn erased_at(&self) -> Option<DateTime<Utc>> {
        self.0.erased_at
    }
    /// `version`, `createdAt` and `updatedAt`.
    #[graphql(flatten)]
    async fn revision(&self) -> Revision {
        self.0.as_ref().into()
    }
}

record! {
    /// Someone who took part in a visit or a learning session, as the caller
    /// may see them: by name with their record, or anonymous.
    Participant(stakeholder::Model)
}

impl Participant {
    /// Whether the caller sees the person by name.
    pub fn named(&self, audience: Audience) -> bool {
        audience.sees_record(&self.0)
    }

    /// Where the participant goes in a list (see [`Audience::position`]).
    pub fn position(&self, audience: Audience) -> (bool, &'static str) {
        audience.position(&self.0)
    }
}

/// Someone who took part in a visit or a learning session. Callers other
/// than editors and admins see a person by name only with their consent;
/// otherwise an anonymous participant, with no id and nothing that links
/// two appearances of the same person. Erased people are anonymous to everyone.
#[Object]
impl Participant {
    /// The stakeholder's record; null when the participant is anonymous to you.
    // The row came with the participant: it costs only what is asked of it,
    // so a query costs what it did when participants were stakeholders.
    #[graphql(complexity = "child_complexity")]
    async fn stakeholder(&self, ctx: &Context<'_>) -> Option<Stakeholder> {
        self.named(context::audience(ctx))
            .then(|| Stakeholder(self.0.clone()))
    }
    /// Their name, or for an anonymous participant a description: "a
    /// practitioner", "a researcher", ... where their kind is public to
    /// you, else "a participant".
    async fn name(&self, ctx: &Context<'_>) -> String {
        let audience = context::audience(ctx);
        if self.named(audience) {
            self.0.name.clone()
        } else {
            audience.describe(&self.0).to_owned()
        }
    }
    /// Their kind; null unless it is public to you.
    async fn kind(&self, ctx: &Context<'_>) -> Option<StakeholderKind> {
        context::audience(ctx)
            .sees_kind(&self.0)
            .then(|| self.0.kind.into())
    }
    /// Whether the participant is anonymous to you (`stakeholder` is then null).
    async fn anonymous(&self, ctx: &Context<'_>) -> bool {
        !self.named(context::audience(ctx))
    }
}

/// How many stakeholders there are of one kind.
#[derive(SimpleObject, Clone, Debug)]
pub struct KindCount {
    /// The kind.
    pub kind: StakeholderKind,
    /// How many; null where the count is withheld (see `StakeholderStats`).
    pub count: Option<i32>,
}

/// Counts of stakeholders by kind (erased people are not counted). In a
/// workshop's `memberStats`, callers other than editors and admins get null
/// for any count below 5, and, when only one count of a workshop is withheld,
/// for the next smallest too, so that no withheld count follows from the total.
#[derive(SimpleObject, Clone, Debug)]
pub struct StakeholderStats {
    /// How many stakeholders; null where withheld.
    pub total: Option<i32>,
    /// One count per kind, every kind listed, in the order of `StakeholderKind`.
    pub by_kind: Vec<KindCount>,
}

impl StakeholderStats {
    /// The counts of `rows`, with those a small group could be singled out
    /// by withheld when `withhold_small` is set.
    #[must_use]
    pub fn new(rows: &[(db::StakeholderKind, i64)], withhold_small: bool) -> Self {
        let count_of = |kind| {
            rows.iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, n)| *n)
                .sum::<i64>()
        };
        let mut counts: Vec<(db::StakeholderKind, i64, bool)> =
            <db::StakeholderKind as sea_orm::Iterable>::iter()
                .map(|kind| {
                    let n = count_of(kind);
                    (kind, n, withhold_small && n < MIN_PUBLIC_COUNT)
                })
                .collect();
        if counts.iter().filter(|(_, _, withheld)| *withheld).count() == 1
            && let Some(next) = counts
                .iter_mut()
                .filter(|(_, _, withheld)| !*withheld)
                .min_by_key(|(_, n, _)| *n)
        {
            next.2 = true;
        }
        let total: i64 = rows.iter().map(|(_, n)| *n).sum();
        let to_i32 = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            total: (!(withhold_small && total < MIN_PUBLIC_COUNT)).then(|| to_i32(total)),
            by_kind: counts
                .into_iter()
                .map(|(kind, n, withheld)| KindCount {
                    kind: kind.into(),
                    count: (!withheld).then(|| to_i32(n)),
                })
                .collect(),
        }
    }
}

/// Everything the API holds about one person, for a subject access request (admins only).
pub struct PersonalData(pub erase::PersonalData);

/// Everything the API holds about one person, for a subject access request (admins only).
#[Object]
impl PersonalData {
    /// The record, with contact details (`email`, `phone`) and `consent`.
    async fn stakeholder(&self) -> Stakeholder {
        self.0.person.clone().into()
    }
    /// The knowledge workshops they belong to.
    async fn workshops(&self) -> Vec<KnowledgeWorkshop> {
        self.0.workshops.iter().cloned().map(Into::into).collect()
    }
    /// The visits they took part in, oldest first.
    async fn visits(&self) -> Vec<Visit> {
        self.0.visits.iter().cloned().map(Into::into).collect()
    }
    /// The learning sessions they took part in, oldest first.
    async fn learning_sessions(&self) -> Vec<LearningSession> {
        self.0.sessions.iter().cloned().map(Into::into).collect()
    }
    /// Every audit event about them, oldest first (snapshots never hold
    /// e-mail or phone; after an erasure, none holds anything but the id).
    async fn audit_events(&self) -> Vec<AuditEvent> {
        self.0
            .events
            .iter()
            .cloned()
            .map(|e| AuditEvent(Arc::new(e)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use entity::value::StakeholderKind as Kind;

    use super::StakeholderStats;

    fn counts(stats: &StakeholderStats) -> Vec<Option<i32>> {
        stats.by_kind.iter().map(|c| c.count).collect()
    }

    #[test]
    fn a_lone_small_count_takes_the_next_smallest_with_it() {
        let rows = [
            (Kind::Practice, 5),
            (Kind::Policy, 6),
            (Kind::Research, 7),
            (Kind::LivedExperience, 2),
            (Kind::Education, 8),
            (Kind::Community, 9),
        ];

        let public = StakeholderStats::new(&rows, true);
        let editors = StakeholderStats::new(&rows, false);

        assert_eq!(
            counts(&public),
            [None, Some(6), Some(7), None, Some(8), Some(9)]
        );
        assert_eq!(public.total, Some(37));
        assert_eq!(
            counts(&editors),
            [Some(5), Some(6), Some(7), Some(2), Some(8), Some(9)]
        );
    }

    #[test]
    fn a_small_group_has_no_public_total() {
        let stats = StakeholderStats::new(&[(Kind::Research, 4)], true);

        assert_eq!(stats.total, None);
        assert!(counts(&stats).iter().all(Option::is_none));
    }
}
