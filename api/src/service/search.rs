//! Search across facilities, learning sessions, stakeholders (public fields
//! only, and only people the reader may see), guideline versions and the
//! resources of the knowledge library, best matches first.

use entity::value::GuidelineStatus;
use entity::{facility, guideline_version, learning_session, resource, stakeholder};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::error::{AppError, Result};
use crate::service::guideline::Drafts;
use crate::service::kernel::condition::text_condition;
use crate::service::kernel::text;
use crate::service::stakeholder::Audience;

pub const DEFAULT_RESULTS: u64 = 20;
pub const MAX_RESULTS: u64 = 100;

/// One hit, with what it is.
#[derive(Debug, Clone)]
pub enum Hit {
    Facility(facility::Model),
    LearningSession(learning_session::Model),
    Stakeholder(stakeholder::Model),
    GuidelineVersion(guideline_version::Model),
    Resource(resource::Model),
}

impl Hit {
    fn label(&self) -> &str {
        match self {
            Hit::Facility(f) => &f.name,
            Hit::LearningSession(s) => &s.title,
            Hit::Stakeholder(s) => &s.name,
            Hit::GuidelineVersion(v) => &v.title,
            Hit::Resource(r) => r.title.get("en").unwrap_or_default(),
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

/// What one search asks of every kind of record: the words of `query` in
/// its search text, and at most `limit` candidates of each kind.
struct Candidates<'a> {
    query: &'a str,
    limit: u64,
}

impl Candidates<'_> {
    /// The candidates whose `search_text` column matches, as hits.
    async fn of<C>(
        &self,
        db: &impl ConnectionTrait,
        search_text: C,
        hit: fn(<C::EntityName as EntityTrait>::Model) -> Hit,
    ) -> Result<Vec<Hit>>
    where
        C: ColumnTrait,
        C::EntityName: EntityTrait<Column = C>,
    {
        self.visible(db, search_text, Condition::all(), hit).await
    }

    /// The candidates that also meet `visible`.
    async fn visible<C>(
        &self,
        db: &impl ConnectionTrait,
        search_text: C,
        visible: Condition,
        hit: fn(<C::EntityName as EntityTrait>::Model) -> Hit,
    ) -> Result<Vec<Hit>>
    where
        C: ColumnTrait,
        C::EntityName: EntityTrait<Column = C>,
    {
        let found = <C::EntityName as EntityTrait>::find()
            .filter(text_condition(visible, search_text, self.query, "text")?)
            .limit(self.limit)
            .all(db)
            .await?;
        Ok(found.into_iter().map(hit).collect())
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
    people: Audience,
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
    let find = Candidates { query, limit };
    let mut hits = find
        .of(db, facility::Column::SearchText, Hit::Facility)
        .await?;
    hits.extend(
        find.of(
            db,
            learning_session::Column::SearchText,
            Hit::LearningSession,
        )
        .await?,
    );
    let column = stakeholder::Column::SearchText;
    hits.extend(
        find.visible(db, column, people.condition(), Hit::Stakeholder)
            .await?,
    );
    let mut versions = Condition::all();
    if drafts == Drafts::Hidden {
        versions = versions.add(guideline_version::Column::Status.ne(GuidelineStatus::Draft));
    }
    let column = guideline_version::Column::SearchText;
    hits.extend(
        find.visible(db, column, versions, Hit::GuidelineVersion)
            .await?,
    );
    hits.extend(
        find.of(db, resource::Column::SearchText, Hit::Resource)
            .await?,
    );
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
