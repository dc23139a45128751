//! Reading guidelines and their versions. Drafts are visible only to callers
//! allowed to see them; the caller says which through `drafts`.

pub mod rules;
pub mod write;

use entity::value::GuidelineStatus;
use entity::{
    guideline, guideline_rule, guideline_rule_session, guideline_rule_visit, guideline_version,
    guideline_version_session, guideline_version_visit, learning_session, visit,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Related,
};

use crate::error::{AppError, Result};
use crate::service::kernel::condition::distinct;
use crate::service::kernel::{page, read};

/// How many guidelines the project writes: `ecosystem-rules` and
/// `relational-security`. No write of the API adds one; queries are costed by it.
pub const MAX_GUIDELINES: usize = 2;

/// The most lines (context, added and removed, in all hunks together) that
/// one diff returns; a longer diff is cut there and says so. Queries are
/// costed by it.
pub const MAX_DIFF_LINES: usize = 1_000;

/// How long the diff algorithm may search for the smallest diff before it
/// settles for a coarser one (whole blocks removed and added): the worst pair
/// of texts then costs about this much of one core, not minutes.
pub const DIFF_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether drafts are part of what a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    Hidden,
    Visible,
}

impl Drafts {
    /// Editors and admins see drafts; everyone else does not.
    #[must_use]
    pub fn for_editor(is_editor: bool) -> Self {
        if is_editor {
            Drafts::Visible
        } else {
            Drafts::Hidden
        }
    }

    /// Whether a version in `status` is visible.
    #[must_use]
    pub fn admit(self, status: GuidelineStatus) -> bool {
        self == Drafts::Visible || status != GuidelineStatus::Draft
    }
}

/// Every guideline, by key; never more than [`MAX_GUIDELINES`], which the query cost assumes.
///
/// # Errors
/// Database errors.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<guideline::Model>> {
    let mut guidelines = guideline::Entity::find()
        .order_by_asc(guideline::Column::Key)
        .limit(MAX_GUIDELINES as u64 + 1)
        .all(db)
        .await?;
    if guidelines.len() > MAX_GUIDELINES {
        tracing::warn!(
            bound = MAX_GUIDELINES,
            "the database holds more guidelines than the project writes; the list is cut at the bound"
        );
        guidelines.truncate(MAX_GUIDELINES);
    }
    Ok(guidelines)
}

/// The fingerprint of a guideline's own list of versions, for cursors of
/// `Guideline.versions`. Drafts are part of it: an editor's cursor counts
/// drafts that an anonymous caller's list does not hold.
#[must_use]
pub fn versions_fingerprint(guideline_id: i32, drafts: Drafts) -> String {
    page::fingerprint(&(
        "guideline-versions",
        guideline_id,
        drafts == Drafts::Visible,
    ))
}

/// # Errors
/// Database errors; an unknown key is `Ok(None)`.
pub async fn find_by_key(db: &impl ConnectionTrait, key: &str) -> Result<Option<guideline::Model>> {
    Ok(guideline::Entity::find()
        .filter(guideline::Column::Key.eq(key))
        .one(db)
        .await?)
}

/// The versions of many guidelines at once, oldest number first.
///
/// # Errors
/// Database errors.
pub async fn versions_of(
    db: &impl ConnectionTrait,
    guideline_ids: &[i32],
    drafts: Drafts,
) -> Result<Vec<guideline_version::Model>> {
    let mut cond = Condition::all()
        .add(guideline_version::Column::GuidelineId.is_in(guideline_ids.iter().copied()));
    if drafts == Drafts::Hidden {
        cond = cond.add(guideline_version::Column::Status.ne(GuidelineStatus::Draft));
    }
    Ok(guideline_version::Entity::find()
        .filter(cond)
        .order_by_asc(guideline_version::Column::GuidelineId)
        .order_by_asc(guideline_version::Column::Number)
        .all(db)
        .await?)
}

/// A version with its guideline.
///
/// # Errors
/// Database errors; an unknown id is `Ok(None)`.
pub async fn find_version(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<(guideline_version::Model, guideline::Model)>> {
    let found = guideline_version::Entity::find_by_id(id)
        .find_also_related(guideline::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(v, g)| g.map(|g| (v, g))))
}

/// The guideline versions linked to any of `parents` through a link table
/// whose `parent` column names them, with their guidelines, by guideline and
/// number, as (parent id, (version, guideline)): two queries, however many.
///
/// # Errors
/// Database errors.
pub async fn linked_versions<P>(
    db: &impl ConnectionTrait,
    parent: P,
    parents: &[i32],
) -> Result<Vec<(i32, (guideline_version::Model, guideline::Model))>>
where
    P: ColumnTrait,
    P::EntityName: EntityTrait<Column = P> + Related<guideline_version::Entity>,
{
    let order = [
        guideline_version::Column::GuidelineId,
        guideline_version::Column::Number,
    ];
    let versions = read::linked(db, parent, parents, &order).await?;
    let guideline_ids: Vec<i32> = distinct(
        &versions
            .iter()
            .map(|(_, v)| v.guideline_id)
            .collect::<Vec<_>>(),
    );
    if guideline_ids.is_empty() {
        return Ok(Vec::new());
    }
    let guidelines = read::by_ids(db, guideline::Column::Id, &guideline_ids).await?;
    Ok(versions
        .into_iter()
        .filter_map(|(parent, version)| {
            let guideline = guidelines
                .iter()
                .find(|g| g.id == version.guideline_id)?
                .clone();
            Some((parent, (version, guideline)))
        })
        .collect())
}

/// The version numbered `number` of a guideline.
///
/// # Errors
/// Database errors; an unknown number is `Ok(None)`.
pub async fn version_by_number(
    db: &impl ConnectionTrait,
    guideline_id: i32,
    number: i32,
) -> Result<Option<guideline_version::Model>> {
    Ok(guideline_version::Entity::find()
        .filter(guideline_version::Column::GuidelineId.eq(guideline_id))
        .filter(guideline_version::Column::Number.eq(number))
        .one(db)
        .await?)
}

/// What informed many versions: (version id, visit) and (version id, session) pairs.
///
/// # Errors
/// Database errors.
pub async fn provenance_of(
    db: &impl ConnectionTrait,
    version_ids: &[i32],
) -> Result<(
    Vec<(i32, visit::Model)>,
    Vec<(i32, learning_session::Model)>,
)> {
    let visits = guideline_version_visit::Entity::find()
        .filter(
            guideline_version_visit::Column::GuidelineVersionId.is_in(version_ids.iter().copied()),
        )
        .find_also_related(visit::Entity)
        .order_by_desc(visit::Column::VisitedOn)
        .all(db)
        .await?;
    let sessions = guideline_version_session::Entity::find()
        .filter(
            guideline_version_session::Column::GuidelineVersionId
                .is_in(version_ids.iter().copied()),
        )
        .find_also_related(learning_session::Entity)
        .order_by_desc(learning_session::Column::HeldOn)
        .all(db)
        .await?;
    Ok((
        visits
            .into_iter()
            .filter_map(|(link, v)| v.map(|v| (link.guideline_version_id, v)))
            .collect(),
        sessions
            .into_iter()
            .filter_map(|(link, s)| s.map(|s| (link.guideline_version_id, s)))
            .collect(),
    ))
}

/// A visit or a learning session, as a source of guideline versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Informer {
    Visit(i32),
    Session(i32),
}

/// The versions past DRAFT that `informer` informed, with their guideline,
/// oldest first: their provenance is public, so the source must stay as it was.
///
/// # Errors
/// Database errors.
pub async fn published_versions_informed_by(
    db: &impl ConnectionTrait,
    informer: Informer,
) -> Result<Vec<(guideline_version::Model, guideline::Model)>> {
    use sea_orm::sea_query::Query;
    let links = match informer {
        Informer::Visit(id) => Query::select()
            .column(guideline_version_visit::Column::GuidelineVersionId)
            .from(guideline_version_visit::Entity)
            .and_where(guideline_version_visit::Column::VisitId.eq(id))
            .to_owned(),
        Informer::Session(id) => Query::select()
            .column(guideline_version_session::Column::GuidelineVersionId)
            .from(guideline_version_session::Entity)
            .and_where(guideline_version_session::Column::SessionId.eq(id))
            .to_owned(),
    };
    // A rule's sources are its version's too.
    let rule_links = match informer {
        Informer::Visit(id) => Query::select()
            .column(guideline_rule_visit::Column::RuleId)
            .from(guideline_rule_visit::Entity)
            .and_where(guideline_rule_visit::Column::VisitId.eq(id))
            .to_owned(),
        Informer::Session(id) => Query::select()
            .column(guideline_rule_session::Column::RuleId)
            .from(guideline_rule_session::Entity)
            .and_where(guideline_rule_session::Column::SessionId.eq(id))
            .to_owned(),
    };
    let rule_versions = Query::select()
        .column(guideline_rule::Column::GuidelineVersionId)
        .from(guideline_rule::Entity)
        .and_where(guideline_rule::Column::Id.in_subquery(rule_links))
        .to_owned();
    let rows = guideline_version::Entity::find()
        .filter(
            Condition::any()
                .add(guideline_version::Column::Id.in_subquery(links))
                .add(guideline_version::Column::Id.in_subquery(rule_versions)),
        )
        .filter(guideline_version::Column::Status.ne(GuidelineStatus::Draft))
        .find_also_related(guideline::Entity)
        .order_by_asc(guideline_version::Column::GuidelineId)
        .order_by_asc(guideline_version::Column::Number)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(v, g)| g.map(|g| (v, g)))
        .collect())
}

/// The version of the same guideline numbered one lower, if any.
///
/// # Errors
/// Database errors.
pub async fn previous_version(
    db: &impl ConnectionTrait,
    version: &guideline_version::Model,
) -> Result<Option<guideline_version::Model>> {
    Ok(guideline_version::Entity::find()
        .filter(guideline_version::Column::GuidelineId.eq(version.guideline_id))
        .filter(guideline_version::Column::Number.lt(version.number))
        .order_by_desc(guideline_version::Column::Number)
        .one(db)
        .await?)
}

/// How a line of a diff relates the two texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineChange {
    Context,
    Added,
    Removed,
}

/// One hunk of a unified line diff; line numbers start at 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: usize,
    pub old_lines: usize,
    pub new_start: usize,
    pub new_lines: usize,
    pub lines: Vec<(LineChange, String)>,
}

/// A line diff, cut after `max_lines` lines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diff {
    pub hunks: Vec<Hunk>,
    /// Whether lines were left out after the bound.
    pub truncated: bool,
}

/// A line diff from `old` to `new`, with three lines of context around
/// changes, of at most `max_lines` lines. The search for the smallest diff
/// stops after `timeout`, and what is left is shown as removed and added.
#[must_use]
pub fn diff(old: &str, new: &str, max_lines: usize, timeout: std::time::Duration) -> Diff {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::configure().timeout(timeout).diff_lines(old, new);
    let mut budget = max_lines;
    let mut out = Diff::default();
    for group in diff.grouped_ops(3) {
        let Some(first) = group.first() else {
            continue;
        };
        if budget == 0 {
            out.truncated = true;
            break;
        }
        let mut hunk = Hunk {
            old_start: first.old_range().start + 1,
            old_lines: 0,
            new_start: first.new_range().start + 1,
            new_lines: 0,
            lines: Vec::new(),
        };
        for change in group.iter().flat_map(|op| diff.iter_changes(op)) {
            if budget == 0 {
                out.truncated = true;
                break;
            }
            budget -= 1;
            let kind = match change.tag() {
                ChangeTag::Equal => LineChange::Context,
                ChangeTag::Insert => LineChange::Added,
                ChangeTag::Delete => LineChange::Removed,
            };
            // Counted from the lines kept, so that a hunk cut short still adds up.
            hunk.old_lines += usize::from(kind != LineChange::Added);
            hunk.new_lines += usize::from(kind != LineChange::Removed);
            hunk.lines.push((
                kind,
                change.value().trim_end_matches(['\n', '\r']).to_owned(),
            ));
        }
        out.hunks.push(hunk);
        if out.truncated {
            break;
        }
    }
    out
}

/// At most this many diffs run at once, each on a blocking thread: a burst
/// of large diffs then waits its turn instead of taking every core from the
/// workers that answer other requests.
fn diff_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
    });
    &SLOTS
}

/// [`diff`] with the API's bounds ([`MAX_DIFF_LINES`], [`DIFF_TIMEOUT`]), on
/// a blocking thread: a diff is CPU work that would otherwise hold the
/// request's worker, and every request queued behind it, until it ends.
///
/// # Errors
/// Internal, if the diff thread fails.
pub async fn bounded_diff(old: String, new: String) -> Result<Diff> {
    bounded_diff_lines(old, new, MAX_DIFF_LINES).await
}

/// [`bounded_diff`] of at most `max_lines` lines.
///
/// # Errors
/// Internal, if the diff thread fails.
pub async fn bounded_diff_lines(old: String, new: String, max_lines: usize) -> Result<Diff> {
    let _slot = diff_slots()
        .acquire()
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    tokio::task::spawn_blocking(move || diff(&old, &new, max_lines, DIFF_TIMEOUT))
        .await
        .map_err(|err| AppError::Internal(anyhow::Error::new(err).context("while diffing")))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{DIFF_TIMEOUT, Diff, LineChange, MAX_DIFF_LINES, diff};

    fn unbounded(old: &str, new: &str) -> Diff {
        diff(old, new, usize::MAX, Duration::from_secs(3600))
    }

    #[test]
    fn diff_reports_changed_lines_with_context() {
        let old = "# Rules\n\n1. Small.\n2. Close to home.\n";
        let new = "# Rules\n\n1. Small.\n2. Close to home and family.\n3. Open to the community.\n";
        let Diff { hunks, truncated } = unbounded(old, new);
        assert!(!truncated);
        assert_eq!(hunks.len(), 1);
        let hunk = &hunks[0];
        assert_eq!(
            (
                hunk.old_start,
                hunk.old_lines,
                hunk.new_start,
                hunk.new_lines
            ),
            (1, 4, 1, 5)
        );
        let changed: Vec<_> = hunk
            .lines
            .iter()
            .filter(|(k, _)| *k != LineChange::Context)
            .cloned()
            .collect();
        assert_eq!(
            changed,
            vec![
                (LineChange::Removed, "2. Close to home.".to_owned()),
                (LineChange::Added, "2. Close to home and family.".to_owned()),
                (LineChange::Added, "3. Open to the community.".to_owned()),
            ]
        );
    }

    #[test]
    fn identical_texts_have_no_hunks() {
        assert_eq!(unbounded("a\nb\n", "a\nb\n"), Diff::default());
    }

    #[test]
    fn a_long_diff_is_cut_at_the_bound_and_says_so() {
        let old: String = (0..50).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..50).map(|i| format!("new {i}\n")).collect();
        let cut = diff(&old, &new, 30, DIFF_TIMEOUT);
        assert!(cut.truncated);
        let lines: usize = cut.hunks.iter().map(|h| h.lines.len()).sum();
        assert_eq!(lines, 30);
        let hunk = &cut.hunks[0];
        assert_eq!(hunk.old_lines + hunk.new_lines, 30, "the cut hunk adds up");
        assert!(!diff(&old, &new, 100, DIFF_TIMEOUT).truncated);
    }

    /// Texts with no line in common are the worst case of the diff algorithm:
    /// quadratic in the number of lines without the timeout.
    #[test]
    fn the_worst_texts_fall_back_to_a_coarse_diff_in_time() {
        let old: String = (0..40_000).map(|i| format!("a{i}\n")).collect();
        let new: String = (0..40_000).map(|i| format!("b{i}\n")).collect();
        let started = Instant::now();
        let bounded = diff(&old, &new, MAX_DIFF_LINES, DIFF_TIMEOUT);
        assert!(
            started.elapsed() < DIFF_TIMEOUT * 5,
            "took {:?}",
            started.elapsed()
        );
        assert!(bounded.truncated);
        assert_eq!(
            bounded.hunks.iter().map(|h| h.lines.len()).sum::<usize>(),
            MAX_DIFF_LINES
        );
    }
}
