//! Reading stakeholders, and what each reader may see of them. Editors and
//! admins see every person in full (contact details are guarded in the
//! GraphQL layer); everyone else sees a person as a record only with their
//! consent to a public name, their organisation and country only with
//! consent to a public affiliation, and their kind only with consent to a
//! public kind. An erased person is anonymous to everyone. The lists filter
//! in SQL, so that pages and counts hold only what the reader sees.

pub mod erase;
pub mod write;

use entity::value::StakeholderKind;
use entity::{knowledge_workshop, stakeholder, workshop_membership};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use serde::Serialize;

use crate::error::Result;
use crate::service::kernel::condition::{one_of, text_condition};
use crate::service::kernel::country;
use crate::service::kernel::page::Listing;
use crate::service::kernel::read;

/// The smallest count of stakeholders a workshop's counts show to readers
/// other than editors and admins: a smaller group could single a person out.
pub const MIN_PUBLIC_COUNT: i64 = 5;

/// Who reads stakeholders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum Audience {
    /// Editors and admins: every person who was not erased, in full.
    Editors,
    /// Everyone else: what each person consented to make public.
    #[default]
    Public,
}

impl Audience {
    #[must_use]
    pub fn for_editor(is_editor: bool) -> Self {
        if is_editor {
            Self::Editors
        } else {
            Self::Public
        }
    }

    /// Whether this reader sees the person as a record: by name, with an id.
    #[must_use]
    pub fn sees_record(self, person: &impl Consents) -> bool {
        !person.erased() && (self == Self::Editors || person.consents().name)
    }

    /// Whether this reader sees the person's organisation and country.
    #[must_use]
    pub fn sees_affiliation(self, person: &impl Consents) -> bool {
        !person.erased() && (self == Self::Editors || person.consents().affiliation)
    }

    /// Whether this reader sees the person's kind.
    #[must_use]
    pub fn sees_kind(self, person: &impl Consents) -> bool {
        !person.erased() && (self == Self::Editors || person.consents().kind)
    }

    /// Where a participant goes in a list of them: those this reader sees
    /// by name first, in the list's order (by name); then the anonymous ones
    /// by description, since among the named ones, by name, they would tell
    /// where their names fall in the alphabet.
    #[must_use]
    pub fn position(self, person: &impl Consents) -> (bool, &'static str) {
        if self.sees_record(person) {
            (false, "")
        } else {
            (true, self.describe(person))
        }
    }

    /// [`Audience::sees_record`] as SQL.
    #[must_use]
    pub fn condition(self) -> Condition {
        let cond = Condition::all().add(stakeholder::Column::ErasedAt.is_null());
        match self {
            Self::Editors => cond,
            Self::Public => cond.add(stakeholder::Column::ConsentName.eq(true)),
        }
    }

    /// How a participant whom this reader does not see by name is described:
    /// by their kind where it is public, else as "a participant".
    #[must_use]
    pub fn describe(self, person: &impl Consents) -> &'static str {
        if !self.sees_kind(person) {
            return "a participant";
        }
        match person.kind() {
            StakeholderKind::Practice => "a practitioner",
            StakeholderKind::Policy => "a policy maker",
            StakeholderKind::Research => "a researcher",
            StakeholderKind::LivedExperience => "a person with lived experience of detention",
            StakeholderKind::Education => "an educator",
            StakeholderKind::Community => "a member of the community",
        }
    }
}

/// What a person made public, one consent each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Consent {
    pub name: bool,
    pub affiliation: bool,
    pub kind: bool,
}

/// What [`Audience`] needs of a person to decide what a reader sees: their
/// record, or only the columns a read selected (see `graphql::compiled`).
pub trait Consents {
    fn erased(&self) -> bool;
    fn consents(&self) -> Consent;
    fn kind(&self) -> StakeholderKind;
}

impl Consents for stakeholder::Model {
    fn erased(&self) -> bool {
        self.erased_at.is_some()
    }

    fn consents(&self) -> Consent {
        Consent {
            name: self.consent_name,
            affiliation: self.consent_affiliation,
            kind: self.consent_kind,
        }
    }

    fn kind(&self) -> StakeholderKind {
        self.kind
    }
}

/// A person read through a reference or shared: as the person.
macro_rules! consents_through {
    ($($pointer:ty),+) => {$(
        impl<T: Consents> Consents for $pointer {
            fn erased(&self) -> bool {
                T::erased(self)
            }

            fn consents(&self) -> Consent {
                T::consents(self)
            }

            fn kind(&self) -> StakeholderKind {
                T::kind(self)
            }
        }
    )+};
}
consents_through!(&T, std::sync::Arc<T>);

/// Which stakeholders to return. Absent or empty lists place no constraint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Filter {
    pub kind: Vec<StakeholderKind>,
    pub country_code: Vec<String>,
    pub workshop_id: Option<i32>,
    pub text: Option<String>,
    /// Who reads: the list holds only whom they see, and filters only on
    /// what they see (a filter on kind finds no one whose kind is private).
    pub audience: Audience,
}

impl Listing for Filter {
    type Entity = stakeholder::Entity;

    const NAME: &'static str = "stakeholder";

    fn condition(&self) -> Result<Condition> {
        let public = self.audience == Audience::Public;
        let mut cond = self.audience.condition();
        if !self.kind.is_empty() && public {
            cond = cond.add(stakeholder::Column::ConsentKind.eq(true));
        }
        cond = one_of(cond, stakeholder::Column::Kind, &self.kind);
        if !self.country_code.is_empty() {
            let codes = country::normalize_all(&self.country_code, "filter.countryCode")?;
            if public {
                cond = cond.add(stakeholder::Column::ConsentAffiliation.eq(true));
            }
            cond = one_of(cond, stakeholder::Column::CountryCode, &codes);
        }
        if let Some(workshop_id) = self.workshop_id {
            cond = cond.add(members_of(workshop_id));
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

/// The memberships of many stakeholders, as (stakeholder id, (workshop,
/// role)), by workshop key.
///
/// # Errors
/// Database errors.
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    stakeholder_ids: &[i32],
) -> Result<Vec<(i32, (knowledge_workshop::Model, entity::value::MemberRole))>> {
    use sea_orm::QueryOrder;
    let rows = workshop_membership::Entity::find()
        .filter(workshop_membership::Column::StakeholderId.is_in(stakeholder_ids.iter().copied()))
        .find_also_related(knowledge_workshop::Entity)
        .order_by_asc(knowledge_workshop::Column::Key)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, w)| Some((m.stakeholder_id, (w?, m.role))))
        .collect())
}

/// The condition that a stakeholder is a member of one workshop.
#[must_use]
pub fn members_of(workshop_id: i32) -> SimpleExpr {
    stakeholder::Column::Id.in_subquery(
        Query::select()
            .column(workshop_membership::Column::StakeholderId)
            .from(workshop_membership::Entity)
            .and_where(workshop_membership::Column::WorkshopId.eq(workshop_id))
            .to_owned(),
    )
}

/// How many stakeholders there are of each kind (erased people left out),
/// of one workshop's members or of all; kinds without anyone are absent.
///
/// # Errors
/// Database errors.
pub async fn count_by_kind(
    db: &impl ConnectionTrait,
    workshop_id: Option<i32>,
) -> Result<Vec<(StakeholderKind, i64)>> {
    let mut select = stakeholder::Entity::find().filter(stakeholder::Column::ErasedAt.is_null());
    if let Some(workshop_id) = workshop_id {
        select = select.filter(members_of(workshop_id));
    }
    Ok(select
        .select_only()
        .column(stakeholder::Column::Kind)
        .column_as(Expr::col(stakeholder::Column::Id).count(), "count")
        .group_by(stakeholder::Column::Kind)
        .into_tuple()
        .all(db)
        .await?)
}
