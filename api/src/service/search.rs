//! Search across facilities, learning sessions, stakeholders (public fields
//! only) and guideline versions, best matches first.

use entity::value::GuidelineStatus;
use entity::{facility, guideline_version, learning_session, stakeholder};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::{AppError, Result};
use crate::service::guideline::Drafts;
use crate::service::kernel::condition::text_condition;
use crate::service::kernel::text;

pub const DEFAULT_RESULTS: u64 = 20;
pub const MAX_RESULTS: u64 = 100;

/// One hit, with what it is.
#[derive(Debug, Clone)]
pub enum Hit {
    Facility(facility::Model),
    LearningSession(learning_session::Model),
    Stakeholder(stakeholder::Model),
    GuidelineVersion(guideline_version::Model),
}

impl Hit {
    fn label(&self) -> &str {
        match self {
            Hit::Facility(f) => &f.name,
            Hit::LearningSession(s) => &s.title,
            Hit::Stakeholder(s) => &s.name,
            Hit::GuidelineVersion(v) => &v.title,
        }
    }
}

/// How well `label` matches the folded query: the whole label, every word as a
/// whole word of it, every word inside it, or only in other fields. Ties go to
/// the shorter label, the more specific match.
fn score(label: &str, query: &str, words: &[&str]) -> u8 {
    let label = text::fold(label);
    let label_words: Vec<&str> = label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if label == query {
        4
    } else if words.iter().all(|w| label_words.contains(w)) {
        3
    } else if words.iter().all(|w| label.contains(w)) {
        2
    } else {
        1
    }
}

/// Up to `first` hits for every word of `query`, best first.
///
/// # Errors
/// `BAD_USER_INPUT` for an empty or over-long text or a bad `first`.
pub async fn search(
    db: &impl ConnectionTrait,
    query: &str,
    first: Option<i32>,
    drafts: Drafts,
) -> Result<Vec<Hit>> {
    let folded = text::fold(query.trim());
    let words: Vec<&str> = folded.split_whitespace().collect();
    if words.is_empty() {
        return Err(AppError::bad_input(
            "text",
            "give at least one word to search for",
        ));
    }
    let limit = match first {
        None => DEFAULT_RESULTS,
        Some(n) if n < 1 || u64::try_from(n).unwrap_or(u64::MAX) > MAX_RESULTS => {
            return Err(AppError::bad_input(
                "first",
                format!("`first` must be between 1 and {MAX_RESULTS}, got {n}"),
            ));
        }
        Some(n) => u64::try_from(n).unwrap_or(DEFAULT_RESULTS),
    };

    // Each kind contributes at most `limit` candidates; ranking happens over all of them.
    let facilities = facility::Entity::find()
        .filter(text_condition(
            Condition::all(),
            facility::Column::SearchText,
            query,
            "text",
        )?)
        .limit(limit)
        .all(db)
        .await?;
    let sessions = learning_session::Entity::find()
        .filter(text_condition(
            Condition::all(),
            learning_session::Column::SearchText,
            query,
            "text",
        )?)
        .limit(limit)
        .all(db)
        .await?;
    let people = stakeholder::Entity::find()
        .filter(text_condition(
            Condition::all(),
            stakeholder::Column::SearchText,
            query,
            "text",
        )?)
        .limit(limit)
        .all(db)
        .await?;
    let mut versions = guideline_version::Entity::find().filter(text_condition(
        Condition::all(),
        guideline_version::Column::SearchText,
        query,
        "text",
    )?);
    if drafts == Drafts::Hidden {
        versions = versions.filter(guideline_version::Column::Status.ne(GuidelineStatus::Draft));
    }
    let versions = versions.limit(limit).all(db).await?;

    let mut hits: Vec<Hit> = facilities
        .into_iter()
        .map(Hit::Facility)
        .chain(sessions.into_iter().map(Hit::LearningSession))
        .chain(people.into_iter().map(Hit::Stakeholder))
        .chain(versions.into_iter().map(Hit::GuidelineVersion))
        .collect();
    hits.sort_by_cached_key(|hit| {
        let label = hit.label();
        (
            std::cmp::Reverse(score(label, &folded, &words)),
            label.chars().count(),
            text::fold(label),
        )
    });
    hits.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(hits)
}
