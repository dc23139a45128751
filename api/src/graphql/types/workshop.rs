//! Knowledge workshops: the three national ones and the European think tank.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use entity::knowledge_workshop;
use entity::value as db;

use super::learning_session::{LearningSessionConnection, SessionTopic};
use super::record::record;
use super::resource::ResourceConnection;
use super::stakeholder::{
    AgeBand, Discipline, Gender, Stakeholder, StakeholderConnection, StakeholderKind,
    StakeholderStats,
};
use super::translated::translated;
use super::visit::VisitConnection;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    AgendaOf, MembersOf, WorkshopPrinciplesOf, WorkshopResources, WorkshopSessions,
    WorkshopThemesOf, WorkshopVisits,
};
use crate::graphql::types::connection::{linked, paginated, sliced};
use crate::service;
use crate::service::workshop::balance;

/// A principle a knowledge workshop is built on, as the project names them.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::WorkshopPrinciple")]
pub enum WorkshopPrinciple {
    /// Future-oriented.
    FutureOriented,
    /// Inclusive and multidisciplinary.
    InclusiveMultidisciplinary,
    /// Collaboration.
    Collaboration,
    /// Added value.
    AddedValue,
    /// Connecting the dots.
    ConnectingTheDots,
    /// An eye for the public.
    EyeForThePublic,
}

/// The kinds of activity a change agenda attaches to its goals, as the project names them.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::AgendaActivityKind")]
pub enum AgendaActivityKind {
    /// A lasting connection.
    LastingConnection,
    /// Research.
    Research,
    /// Spreading knowledge.
    SpreadingKnowledge,
    /// Policy development.
    PolicyDevelopment,
    /// Advice and support to stakeholders.
    StakeholderSupport,
    /// Changing how sanctions are perceived.
    ChangingPerceptionOfSanctions,
}

/// Where an activity of a change agenda stands.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::AgendaActivityStatus")]
pub enum AgendaActivityStatus {
    /// Planned, not started.
    Planned,
    /// Under way.
    UnderWay,
    /// Done; its outcome says what came of it.
    Done,
    /// Dropped.
    Dropped,
}

/// What a member does in a knowledge workshop's network, as the project
/// speaks of it. A role says what one does, not how much one's voice
/// weighs: every member has an equal voice.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::MemberRole")]
pub enum MemberRole {
    /// Convenes the workshop and keeps its change agenda going.
    Coordinator,
    /// A partner organisation of the workshop, representing policy,
    /// practice, research or lived experience.
    Partner,
    /// A member of the network.
    Member,
}

fn to_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Declares the two types of one breakdown of a network's balance: a
/// group's count, and the breakdown.
macro_rules! breakdown {
    ($value:ty, $count:ident, $breakdown:ident, $what:literal) => {
        #[doc = concat!("How many members of a network are of one ", $what, ".")]
        #[derive(SimpleObject, Clone, Debug)]
        pub struct $count {
            #[doc = concat!("The ", $what, ".")]
            pub value: $value,
            /// How many members: always five or more.
            pub count: i32,
        }

        #[doc = concat!("A network's members per ", $what, ": the groups of five or more, and how many members are in none of them.")]
        #[derive(SimpleObject, Clone, Debug)]
        pub struct $breakdown {
            /// The groups shown, each of five members or more, in the values' order.
            pub groups: Vec<$count>,
            /// Members in no group shown: those of groups under five, those
            /// whose value is not recorded, and, for gender and age band,
            /// those who did not consent to record them. Always 0 or at least
            /// five (the smallest groups are folded in until it is); null for
            /// a network of fewer than five members.
            pub withheld: Option<i32>,
        }

        impl<D: Copy + Into<$value>> From<balance::Breakdown<D>> for $breakdown {
            fn from(b: balance::Breakdown<D>) -> Self {
                Self {
                    groups: b
                        .groups
                        .into_iter()
                        .map(|(value, count)| $count {
                            value: value.into(),
                            count: to_i32(count),
                        })
                        .collect(),
                    withheld: b.withheld.map(to_i32),
                }
            }
        }
    };
}

breakdown!(StakeholderKind, SectorCount, SectorBalance, "sector");
breakdown!(Discipline, DisciplineCount, DisciplineBalance, "discipline");
breakdown!(Gender, GenderCount, GenderBalance, "gender");
breakdown!(AgeBand, AgeBandCount, AgeBandBalance, "age band");

/// The balance of a knowledge workshop's network: counts of its members per
/// sector and discipline, and, of those who consented to record them, per
/// gender and age band. Never a list of people's attributes; no count below
/// five is shown, to anyone (see `withheld`).
#[derive(SimpleObject, Clone, Debug)]
pub struct WorkshopBalance {
    /// How many members it has (erased people are not counted); null below five.
    pub members: Option<i32>,
    /// Per sector: the perspective members bring (their kind).
    pub by_sector: SectorBalance,
    /// Per discipline.
    pub by_discipline: DisciplineBalance,
    /// Per gender, of the members who consented to record it.
    pub by_gender: GenderBalance,
    /// Per age band, of the members who consented to record it.
    pub by_age_band: AgeBandBalance,
}

impl From<balance::Balance> for WorkshopBalance {
    fn from(b: balance::Balance) -> Self {
        Self {
            members: b.members.map(to_i32),
            by_sector: b.by_sector.into(),
            by_discipline: b.by_discipline.into(),
            by_gender: b.by_gender.into(),
            by_age_band: b.by_age_band.into(),
        }
    }
}

record! {
    /// A goal of a workshop's long-term change agenda, with the activities attached to it.
    AgendaGoal(service::workshop::Goal)
}

translated! {
    /// The texts of a goal, which `AgendaGoal` shows as its own.
    pub(crate) struct GoalTexts(Arc<service::workshop::Goal>);

    /// Title in the caller's language, falling back to English.
    title: String;
    /// Description in the caller's language, falling back to English.
    description: Option<String>;
}

/// A goal of a workshop's long-term change agenda, with the activities attached to it.
#[Object]
impl AgendaGoal {
    /// `title` and `description`.
    #[graphql(flatten)]
    async fn texts(&self) -> GoalTexts {
        GoalTexts(self.0.clone())
    }
    /// The activities attached to it, in the workshop's order.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::workshop::write::MAX_ACTIVITIES, child_complexity)"
    )]
    async fn activities(&self) -> Vec<AgendaActivity> {
        self.0
            .activities
            .iter()
            .cloned()
            .map(AgendaActivity::from)
            .collect()
    }
}

record! {
    /// An activity of a change agenda, of one of the six kinds the project names.
    AgendaActivity(service::workshop::AgendaActivity)
}

translated! {
    /// The title of an activity, which `AgendaActivity` shows as its own.
    pub(crate) struct ActivityTitle(Arc<service::workshop::AgendaActivity>);

    /// Title in the caller's language, falling back to English.
    title: String;
}

translated! {
    /// The outcome of an activity, which `AgendaActivity` shows as its own.
    pub(crate) struct ActivityOutcome(Arc<service::workshop::AgendaActivity>);

    /// What came of it, in the caller's language, falling back to English.
    outcome: Option<String>;
}

/// An activity of a change agenda, of one of the six kinds the project names.
#[Object]
impl AgendaActivity {
    /// Which kind of activity it is.
    async fn kind(&self) -> AgendaActivityKind {
        self.0.kind.into()
    }
    /// `title`.
    #[graphql(flatten)]
    async fn title(&self) -> ActivityTitle {
        ActivityTitle(self.0.clone())
    }
    /// The day it starts, when known.
    async fn starts_on(&self) -> Option<chrono::NaiveDate> {
        self.0.starts_on
    }
    /// The day it ends, when known.
    async fn ends_on(&self) -> Option<chrono::NaiveDate> {
        self.0.ends_on
    }
    /// Where it stands.
    async fn status(&self) -> AgendaActivityStatus {
        self.0.status.into()
    }
    /// `outcome`.
    #[graphql(flatten)]
    async fn outcome(&self) -> ActivityOutcome {
        ActivityOutcome(self.0.clone())
    }
}

record! {
    /// A knowledge workshop: a national one (Belgium, France, the Netherlands) or the European think tank.
    KnowledgeWorkshop(knowledge_workshop::Model)
}

paginated! {
    /// The members of a workshop, which `KnowledgeWorkshop` shows as its own.
    pub(crate) struct WorkshopMembers(Arc<knowledge_workshop::Model>);

    /// Its members, by name, a page at a time (`first` defaults to 50, at
    /// most 500). Callers other than editors and admins get only the members
    /// who consented to a public name (`totalCount` counts those); the
    /// others are in `memberStats`.
    async fn members(&self, ctx, args) -> StakeholderConnection {
        // Every member of every workshop asked for comes in one query; each
        // workshop then takes its page out of its own list.
        let audience = context::audience(ctx);
        let mut members = context::load(ctx, MembersOf(self.0.id)).await?.unwrap_or_default();
        members.retain(|m| audience.sees_record(m));
        let fingerprint = service::workshop::members_fingerprint(self.0.id);
        sliced(members, &fingerprint, &args, Stakeholder::from).await
    }
}

paginated! {
    /// What a workshop did and gathered, which `KnowledgeWorkshop` shows as its own.
    pub(crate) struct WorkshopLinks(Arc<knowledge_workshop::Model>);

    /// The study visits it made, most recent first.
    async fn visits(&self, ctx, args) -> VisitConnection {
        let fingerprint = service::workshop::visits_fingerprint(self.0.id);
        linked(ctx, WorkshopVisits(self.0.id), &fingerprint, &args).await
    }
    /// The learning sessions it held, most recent first.
    async fn learning_sessions(&self, ctx, args) -> LearningSessionConnection {
        let fingerprint = service::workshop::sessions_fingerprint(self.0.id);
        linked(ctx, WorkshopSessions(self.0.id), &fingerprint, &args).await
    }
    /// The resources of the knowledge library of this workshop, by title.
    async fn resources(&self, ctx, args) -> ResourceConnection {
        let fingerprint = service::resource::links_fingerprint("workshop", self.0.id);
        linked(ctx, WorkshopResources(self.0.id), &fingerprint, &args).await
    }
}

/// A knowledge workshop: a national one (Belgium, France, the Netherlands) or the European think tank.
#[Object]
impl KnowledgeWorkshop {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::KnowledgeWorkshop, self.0.uuid)
    }
    /// Short stable key: `be`, `fr`, `nl` or `eu`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Country of a national workshop; null for the European think tank.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }
    /// The principles it is built on, in the order the project names them.
    async fn principles(&self, ctx: &Context<'_>) -> Result<Vec<WorkshopPrinciple>> {
        Ok(context::load_all(ctx, WorkshopPrinciplesOf(self.0.id)).await?)
    }
    /// The themes it focuses on: the ecosystem of small-scale detention, relational security.
    async fn themes(&self, ctx: &Context<'_>) -> Result<Vec<SessionTopic>> {
        Ok(context::load_all(ctx, WorkshopThemesOf(self.0.id)).await?)
    }
    /// Its long-term change agenda: goals with the activities attached to them, in its order.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::workshop::write::MAX_GOALS, child_complexity)"
    )]
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Vec<AgendaGoal>> {
        Ok(context::load_all(ctx, AgendaOf(self.0.id)).await?)
    }
    /// Optimistic-concurrency token: pass it as `expectedVersion` to `updateKnowledgeWorkshop`.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// `members`.
    #[graphql(flatten)]
    async fn members(&self) -> WorkshopMembers {
        WorkshopMembers(self.0.clone())
    }
    /// How many members it has of each kind, everyone counted; for callers
    /// other than editors and admins, counts below 5 are withheld (see
    /// `StakeholderStats`).
    async fn member_stats(&self, ctx: &Context<'_>) -> Result<StakeholderStats> {
        let rows = service::stakeholder::count_by_kind(context::db(ctx), Some(self.0.id)).await?;
        let withhold_small = !context::caller(ctx).is_editor();
        Ok(StakeholderStats::new(&rows, withhold_small))
    }
    /// The balance of its network: counts per sector and discipline, and,
    /// where members consented to record them, per gender and age band;
    /// no count below five (see `WorkshopBalance`).
    async fn balance(&self, ctx: &Context<'_>) -> Result<WorkshopBalance> {
        let balance = service::workshop::balance::of_workshop(context::db(ctx), self.0.id).await?;
        Ok(balance.into())
    }
    /// `visits`, `learningSessions` and `resources`.
    #[graphql(flatten)]
    async fn links(&self) -> WorkshopLinks {
        WorkshopLinks(self.0.clone())
    }
}
