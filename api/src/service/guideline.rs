//! Reading guidelines and their versions. Drafts are visible only to callers
//! allowed to see them; the caller says which through `drafts`.

use entity::value::GuidelineStatus;
use entity::{
    guideline, guideline_version, guideline_version_session, guideline_version_visit,
    learning_session, visit,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::error::Result;
use crate::service::page;

/// How many guidelines the project writes: `ecosystem-rules` and
/// `relational-security`. No write of the API adds one; queries are costed by it.
pub const MAX_GUIDELINES: usize = 2;

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

/// A line diff from `old` to `new`, with three lines of context around changes.
#[must_use]
pub fn diff(old: &str, new: &str) -> Vec<Hunk> {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    diff.grouped_ops(3)
        .into_iter()
        .map(|group| {
            let (first, last) = (group.first(), group.last());
            let old_range =
                first.map_or(0, |o| o.old_range().start)..last.map_or(0, |o| o.old_range().end);
            let new_range =
                first.map_or(0, |o| o.new_range().start)..last.map_or(0, |o| o.new_range().end);
            let lines = group
                .iter()
                .flat_map(|op| diff.iter_changes(op))
                .map(|change| {
                    let kind = match change.tag() {
                        ChangeTag::Equal => LineChange::Context,
                        ChangeTag::Insert => LineChange::Added,
                        ChangeTag::Delete => LineChange::Removed,
                    };
                    (
                        kind,
                        change.value().trim_end_matches(['\n', '\r']).to_owned(),
                    )
                })
                .collect();
            Hunk {
                old_start: old_range.start + 1,
                old_lines: old_range.len(),
                new_start: new_range.start + 1,
                new_lines: new_range.len(),
                lines,
            }
        })
        .collect()
}

/// Guidelines by id (for batching loaders).
///
/// # Errors
/// Database errors.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<guideline::Model>> {
    Ok(guideline::Entity::find()
        .filter(guideline::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Guideline versions by id, drafts included (for batching loaders; callers filter drafts).
///
/// # Errors
/// Database errors.
pub async fn versions_by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<guideline_version::Model>> {
    Ok(guideline_version::Entity::find()
        .filter(guideline_version::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::{LineChange, diff};

    #[test]
    fn diff_reports_changed_lines_with_context() {
        let old = "# Rules\n\n1. Small.\n2. Close to home.\n";
        let new = "# Rules\n\n1. Small.\n2. Close to home and family.\n3. Open to the community.\n";
        let hunks = diff(old, new);
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
        assert!(diff("a\nb\n", "a\nb\n").is_empty());
    }
}
