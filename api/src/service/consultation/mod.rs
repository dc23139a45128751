//! The consultation on a guideline version: who sees which comment, the
//! comments of many versions and rules at once, and the report of one
//! version (every comment with its answer, counted per rule and per status).
//!
//! While a version is in CONSULTATION its comments are the commenting
//! organisation's and the editors' only; once it is ADOPTED, the comments
//! that were not withdrawn are public with their answers. A person named
//! with a comment is shown as their consent allows, like a participant.

pub mod csv;
pub mod write;

use std::collections::HashMap;

use entity::value::{CommentStatus, GuidelineStatus};
use entity::{consultation_comment, guideline_rule, guideline_version, organisation, stakeholder};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::Result;
use crate::service::kernel::read;
use crate::service::kernel::unit_of_work::Actor;
use crate::service::stakeholder::Audience;

/// Who reads comments: what decides which ones they see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reader {
    /// Editors and admins see every comment, withdrawn ones too.
    pub editor: bool,
    /// A partner's organisation, which sees its own comments.
    pub organisation_id: Option<i32>,
    /// The token's `sub`: an editor's or admin's own comments are theirs by it.
    pub subject: Option<String>,
}

impl Reader {
    /// The reader who writes as `actor`.
    #[must_use]
    pub fn of(actor: &Actor) -> Self {
        Self {
            editor: actor.writes_all_content(),
            organisation_id: actor.organisation.as_ref().map(|o| o.id),
            subject: actor.subject.clone(),
        }
    }

    /// Whether the comment is this reader's own: made by their organisation,
    /// or, for one made without an organisation (an editor's or admin's),
    /// with their token's subject by a token that speaks for none either:
    /// the same person's partner token is their organisation's voice.
    #[must_use]
    pub fn is_author(&self, comment: &consultation_comment::Model) -> bool {
        match comment.organisation_id {
            Some(org) => self.organisation_id == Some(org),
            None => {
                self.organisation_id.is_none()
                    && self.subject.is_some()
                    && comment.author == self.subject
            }
        }
    }

    /// Whether the reader sees `comment` of a version in `status`.
    #[must_use]
    pub fn sees(&self, comment: &consultation_comment::Model, status: GuidelineStatus) -> bool {
        self.editor || self.is_author(comment) || is_public(comment, status)
    }

    /// The reader a verified token names (anonymous without one).
    #[must_use]
    pub fn of_caller(caller: &crate::auth::Caller) -> Self {
        Self {
            editor: caller.is_editor(),
            // Only a partner comments for an organisation (see `Reader::of`).
            organisation_id: caller
                .organisation_record
                .as_ref()
                .filter(|_| caller.role == Some(entity::value::Role::Partner))
                .map(|o| o.id),
            subject: caller.subject.clone(),
        }
    }

    /// How this reader sees the people named with comments.
    #[must_use]
    pub fn audience(&self) -> Audience {
        Audience::for_editor(self.editor)
    }
}

/// Whether a comment of a version in `status` is public: once the version
/// is adopted, unless it was withdrawn.
#[must_use]
pub fn is_public(comment: &consultation_comment::Model, status: GuidelineStatus) -> bool {
    status == GuidelineStatus::Adopted && comment.status != CommentStatus::Withdrawn
}

/// The comments of many versions, each version's in the order they came.
///
/// # Errors
/// Database errors.
pub async fn of_versions(
    db: &impl ConnectionTrait,
    version_ids: &[i32],
) -> Result<Vec<consultation_comment::Model>> {
    Ok(consultation_comment::Entity::find()
        .filter(consultation_comment::Column::GuidelineVersionId.is_in(version_ids.iter().copied()))
        .order_by_asc(consultation_comment::Column::GuidelineVersionId)
        .order_by_asc(consultation_comment::Column::Id)
        .all(db)
        .await?)
}

/// The comments on many rules, each rule's in the order they came.
///
/// # Errors
/// Database errors.
pub async fn of_rules(
    db: &impl ConnectionTrait,
    rule_ids: &[i32],
) -> Result<Vec<consultation_comment::Model>> {
    Ok(consultation_comment::Entity::find()
        .filter(consultation_comment::Column::RuleId.is_in(rule_ids.iter().copied()))
        .order_by_asc(consultation_comment::Column::RuleId)
        .order_by_asc(consultation_comment::Column::Id)
        .all(db)
        .await?)
}

/// One comment of a report, with what its rows name.
#[derive(Debug, Clone)]
pub struct Entry {
    pub comment: consultation_comment::Model,
    /// The rule's number; none for a comment on the version as a whole.
    pub rule_number: Option<String>,
    pub organisation: Option<organisation::Model>,
    pub person: Option<stakeholder::Model>,
}

/// The consultation on one version as one reader sees it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The version's rules, in order.
    pub rules: Vec<guideline_rule::Model>,
    /// The comments the reader sees: those on the version as a whole first,
    /// then rule by rule in the version's order, each in the order they came.
    pub entries: Vec<Entry>,
}

impl Report {
    /// How many comments there are on each rule, every rule listed in
    /// order, after the count of comments on the version as a whole (`None`).
    #[must_use]
    pub fn per_rule(&self) -> Vec<(Option<&guideline_rule::Model>, usize)> {
        let count = |rule: Option<i32>| {
            self.entries
                .iter()
                .filter(|e| e.comment.rule_id == rule)
                .count()
        };
        std::iter::once((None, count(None)))
            .chain(self.rules.iter().map(|r| (Some(r), count(Some(r.id)))))
            .collect()
    }

    /// How many comments there are in each status, every status listed.
    #[must_use]
    pub fn per_status(&self) -> Vec<(CommentStatus, usize)> {
        <CommentStatus as sea_orm::Iterable>::iter()
            .map(|status| {
                let n = self
                    .entries
                    .iter()
                    .filter(|e| e.comment.status == status)
                    .count();
                (status, n)
            })
            .collect()
    }
}

/// The report of `version`: every comment `reader` sees, with its answer,
/// its rule's number, its organisation and its person, in a fixed number of
/// queries however many comments there are.
///
/// # Errors
/// Database errors.
pub async fn report(
    db: &impl ConnectionTrait,
    version: &guideline_version::Model,
    reader: &Reader,
) -> Result<Report> {
    let rules = crate::service::guideline::rules::of_versions(db, &[version.id]).await?;
    let comments: Vec<_> = of_versions(db, &[version.id])
        .await?
        .into_iter()
        .filter(|c| reader.sees(c, version.status))
        .collect();
    let ids = |pick: fn(&consultation_comment::Model) -> Option<i32>| -> Vec<i32> {
        let mut ids: Vec<i32> = comments.iter().filter_map(pick).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let organisations: HashMap<i32, organisation::Model> =
        read::by_ids(db, organisation::Column::Id, &ids(|c| c.organisation_id))
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
    let people: HashMap<i32, stakeholder::Model> =
        read::by_ids(db, stakeholder::Column::Id, &ids(|c| c.stakeholder_id))
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
    let position: HashMap<i32, (usize, &str)> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, (i, r.number.as_str())))
        .collect();
    let mut entries: Vec<Entry> = comments
        .into_iter()
        .map(|comment| Entry {
            rule_number: comment
                .rule_id
                .and_then(|r| position.get(&r))
                .map(|(_, n)| (*n).to_owned()),
            organisation: comment
                .organisation_id
                .and_then(|o| organisations.get(&o))
                .cloned(),
            person: comment.stakeholder_id.and_then(|p| people.get(&p)).cloned(),
            comment,
        })
        .collect();
    entries.sort_by_key(|e| {
        let at = e
            .comment
            .rule_id
            .and_then(|r| position.get(&r))
            .map(|(i, _)| *i);
        (at, e.comment.id)
    });
    Ok(Report { rules, entries })
}
