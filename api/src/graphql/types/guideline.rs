//! The two guidelines of WISH-EU, their numbered versions with their
//! connection and life cycle, and the diff between two versions.

use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject, Union};
use chrono::{DateTime, Utc};
use entity::value as db;
use entity::{guideline, guideline_rule, guideline_version};

use super::competence::CompetenceConnection;
use super::connection::{connection, linked, paginated, sliced};
use super::consultation::{ConsultationComment, ConsultationCommentConnection};
use super::learning_session::LearningSession;
use super::record::record;
use super::resource::{Resource, ResourceConnection};
use super::scalar::Date;
use super::translated::translated;
use super::visit::Visit;
use crate::error::AppError;
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::loader::{
    DbLoader, GuidelineVersionCompetences, GuidelineVersionResources, ProvenanceOf, RuleComments,
    RuleHistory, RuleSourcesOf, RulesOf, Source, VersionComments, VersionsOf,
};
use crate::service;
use crate::service::competence::links_fingerprint as competence_fingerprint;
use crate::service::guideline::{Diff, Hunk, LineChange};
use crate::service::kernel::page::PageArgs;
use crate::service::resource::links_fingerprint as resource_fingerprint;

/// The life cycle of a guideline version: DRAFT, then CONSULTATION, then ADOPTED.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "db::GuidelineStatus")]
pub enum GuidelineStatus {
    /// Being written; editors and admins only.
    Draft,
    /// Published for consultation; its text no longer changes.
    Consultation,
    /// Adopted; its text no longer changes.
    Adopted,
}

record! {
    /// A text the project writes in successive versions: `ecosystem-rules` (European Rules on
    /// the ecosystem of small-scale detention facilities) or `relational-security` (European
    /// guidelines on relational security).
    Guideline(guideline::Model)
}

impl Guideline {
    async fn visible_versions(&self, ctx: &Context<'_>) -> Result<Vec<guideline_version::Model>> {
        let versions = context::load(ctx, VersionsOf(self.0.id)).await?;
        Ok(versions.unwrap_or_default())
    }

    fn with_version(&self, model: guideline_version::Model) -> GuidelineVersion {
        GuidelineVersion {
            model: Arc::new(model),
            guideline: self.0.clone(),
        }
    }
}

paginated! {
    /// The versions of a guideline, which `Guideline` shows as its own.
    pub(crate) struct GuidelineVersions(Guideline);

    /// Its versions that the caller may see (drafts: editors and admins only), by number,
    /// a page at a time (`first` defaults to 50, at most 500).
    async fn versions(&self, ctx, args) -> GuidelineVersionConnection {
        let guideline = &self.0;
        let drafts = context::drafts(ctx);
        let fingerprint = service::guideline::versions_fingerprint(guideline.0.id, drafts);
        let versions = guideline.visible_versions(ctx).await?;
        sliced(versions, &fingerprint, &args, |v| guideline.with_version(v)).await
    }
}

/// A text the project writes in successive versions: `ecosystem-rules` (European Rules on the
/// ecosystem of small-scale detention facilities) or `relational-security` (European
/// guidelines on relational security).
#[Object]
impl Guideline {
    /// Stable key: `ecosystem-rules` or `relational-security`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Full title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// `versions`.
    #[graphql(flatten)]
    async fn versions(&self) -> GuidelineVersions {
        GuidelineVersions(self.clone())
    }
    /// The version with the highest number that the caller may see.
    async fn latest(&self, ctx: &Context<'_>) -> Result<Option<GuidelineVersion>> {
        let versions = self.visible_versions(ctx).await?;
        Ok(versions
            .into_iter()
            .max_by_key(|v| v.number)
            .map(|v| self.with_version(v)))
    }
}

/// One numbered version of a guideline. A version that left DRAFT never changes again.
#[derive(Clone, Debug)]
pub struct GuidelineVersion {
    pub model: Arc<guideline_version::Model>,
    pub guideline: Arc<guideline::Model>,
}

impl From<(guideline_version::Model, guideline::Model)> for GuidelineVersion {
    fn from((model, guideline): (guideline_version::Model, guideline::Model)) -> Self {
        Self {
            model: Arc::new(model),
            guideline: Arc::new(guideline),
        }
    }
}

impl GuidelineVersion {
    /// The version with this row id, unless it is a draft the caller may not read.
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_visible(ctx: &Context<'_>, row: i32) -> Result<Option<Self>, AppError> {
        let found = service::guideline::find_version(context::db(ctx), row).await?;
        Ok(found
            .filter(|(v, _)| context::drafts(ctx).admit(v.status))
            .map(Self::from))
    }
}

impl GuidelineVersion {
    /// The version a diff compares this one with: `against`, which must be
    /// of the same guideline, else the previous one; none when the caller
    /// may not see it, or for version 1.
    async fn against(
        &self,
        ctx: &Context<'_>,
        against: Option<ID>,
    ) -> Result<Option<guideline_version::Model>, AppError> {
        let db = context::db(ctx);
        match against {
            Some(other) => {
                let other_id = id::row(db, &other, Kind::GuidelineVersion, "against").await?;
                let version = GuidelineVersion::find_visible(ctx, other_id).await?;
                let version = version
                    .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
                if version.model.guideline_id != self.model.guideline_id {
                    return Err(AppError::bad_input(
                        "against",
                        "`against` must be a version of the same guideline",
                    ));
                }
                Ok(Some(Arc::unwrap_or_clone(version.model)))
            }
            None => Ok(service::guideline::previous_version(db, &self.model)
                .await?
                .filter(|v| context::drafts(ctx).admit(v.status))),
        }
    }
}

connection!(
    GuidelineVersion,
    GuidelineVersionConnection,
    GuidelineVersionEdge
);

paginated! {
    /// What a guideline version is linked to, which `GuidelineVersion` shows as its own.
    pub(crate) struct GuidelineVersionLinks(Arc<guideline_version::Model>);

    /// The resources of the knowledge library that informed this version, by title.
    async fn resources(&self, ctx, args) -> ResourceConnection {
        let fingerprint = resource_fingerprint("guideline-version", self.0.id);
        linked(ctx, GuidelineVersionResources(self.0.id), &fingerprint, &args).await
    }
    /// The competences of relational security this version treats, in the
    /// framework's order. The other way: `Competence.guidelineVersions`.
    async fn competences(&self, ctx, args) -> CompetenceConnection {
        let fingerprint = competence_fingerprint("guideline-version", self.0.id);
        linked(ctx, GuidelineVersionCompetences(self.0.id), &fingerprint, &args).await
    }
}

paginated! {
    /// The consultation on a guideline version, which `GuidelineVersion` shows as its own.
    pub(crate) struct VersionConsultation(Arc<guideline_version::Model>);

    /// The comments made during its consultation, on its rules and on the
    /// version as a whole, in the order they came, a page at a time (`first`
    /// defaults to 50, at most 500). While it is in CONSULTATION, a partner
    /// sees its own organisation's, editors and admins all; once it is
    /// ADOPTED, everyone sees every comment that was not withdrawn.
    async fn consultation_comments(&self, ctx, args) -> ConsultationCommentConnection {
        let comments = context::load(ctx, VersionComments(self.0.id)).await?;
        let list = ("version-comments", self.0.id);
        let comments = comments.unwrap_or_default();
        ConsultationComment::page(ctx, comments, self.0.status, list, args).await
    }
}

/// One numbered version of a guideline. A version that left DRAFT never changes again.
#[Object]
impl GuidelineVersion {
    /// Global id.
    pub async fn id(&self) -> ID {
        id::encode(Kind::GuidelineVersion, self.model.uuid)
    }
    /// The guideline this is a version of.
    async fn guideline(&self) -> Guideline {
        Guideline(self.guideline.clone())
    }
    /// Version number: 1, 2, 3… without gaps.
    async fn number(&self) -> i32 {
        self.model.number
    }
    /// Where it is in its life cycle.
    async fn status(&self) -> GuidelineStatus {
        self.model.status.into()
    }
    /// Title of this version.
    async fn title(&self) -> &str {
        &self.model.title
    }
    /// Full text, in Markdown.
    async fn body(&self) -> &str {
        &self.model.body
    }
    /// When it was published for consultation or adopted.
    async fn published_on(&self) -> Option<Date> {
        self.model.published_on.map(Date)
    }
    /// `resources` and `competences`.
    #[graphql(flatten)]
    async fn links(&self) -> GuidelineVersionLinks {
        GuidelineVersionLinks(self.model.clone())
    }
    /// The visits and learning sessions that informed this version (at most 100 together).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::write::MAX_INFORMED_BY, child_complexity)"
    )]
    async fn informed_by(&self, ctx: &Context<'_>) -> Result<Vec<Provenance>> {
        Ok(context::load_all(ctx, ProvenanceOf(self.model.id)).await?)
    }
    /// A line diff from another version of the same guideline (`against`; by
    /// default the previous version, or an empty text for version 1) to this one,
    /// of at most 1,000 lines.
    async fn diff(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Another version of the same guideline; absent: the version before this one."
        )]
        against: Option<ID>,
    ) -> Result<GuidelineDiff> {
        let old_body = self.against(ctx, against).await?.map(|v| v.body);
        let old_body = old_body.unwrap_or_default();
        let diff = service::guideline::bounded_diff(old_body, self.model.body.clone()).await?;
        Ok(diff.into())
    }
    /// Its numbered parts and rules, in order (at most 200). When there are
    /// any, `body` is rendered from them.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::rules::MAX_RULES, child_complexity)"
    )]
    async fn rules(&self, ctx: &Context<'_>) -> Result<Vec<Rule>> {
        let rules = context::load(ctx, RulesOf(self.model.id)).await?;
        Ok(rules
            .unwrap_or_default()
            .into_iter()
            .map(|r| Rule::new(r, self.model.clone(), self.guideline.clone()))
            .collect())
    }
    /// How its rules differ from another version of the same guideline
    /// (`against`; by default the previous version, or none for version 1),
    /// rule by rule, matched by `lineage`.
    #[graphql(complexity = "first.unwrap_or(20).clamp(1, 400) as usize * child_complexity + 1")]
    async fn rule_diff(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Another version of the same guideline; absent: the version before this one."
        )]
        against: Option<ID>,
        #[graphql(desc = "How many changes to list, in rule order (default 20, at most 400).")]
        first: Option<i32>,
    ) -> Result<GuidelineRuleDiff> {
        let old = self.against(ctx, against).await?;
        let new_rules = context::load(ctx, RulesOf(self.model.id)).await?;
        let old_rules = match &old {
            Some(old) => context::load(ctx, RulesOf(old.id)).await?,
            None => None,
        };
        let (old_rules, new_rules) = (old_rules.unwrap_or_default(), new_rules.unwrap_or_default());
        let ids: Vec<i32> = old_rules.iter().chain(&new_rules).map(|r| r.id).collect();
        let sources = service::guideline::rules::sources_by_rule(context::db(ctx), &ids).await?;
        let changes = service::guideline::rules::compare(&old_rules, &new_rules, &sources);
        let total = changes.len();
        let first = usize::try_from(first.unwrap_or(20).clamp(1, 400)).unwrap_or(20);
        let old = old.map(Arc::new);
        Ok(GuidelineRuleDiff {
            total_count: i32::try_from(total).unwrap_or(i32::MAX),
            changes: changes
                .into_iter()
                .take(first)
                .map(|c| RuleChange {
                    change: c.change.into(),
                    aspects: c.aspects.into_iter().map(Into::into).collect(),
                    old: c
                        .old
                        .zip(old.clone())
                        .map(|(r, v)| Rule::new(r, v, self.guideline.clone())),
                    new: c
                        .new
                        .map(|r| Rule::new(r, self.model.clone(), self.guideline.clone())),
                })
                .collect(),
        })
    }
    /// `consultationComments`.
    #[graphql(flatten)]
    async fn consultation(&self) -> VersionConsultation {
        VersionConsultation(self.model.clone())
    }
    /// Optimistic-concurrency version of the record (not the version number).
    async fn version(&self) -> i32 {
        self.model.version
    }
    /// When the record was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
    /// When the record last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }
}

/// What informed a guideline version: a study visit or a learning session.
#[derive(Union, Clone, Debug)]
pub enum Provenance {
    Visit(Visit),
    LearningSession(LearningSession),
}

impl From<Source> for Provenance {
    fn from(source: Source) -> Self {
        match source {
            Source::Visit(v) => Provenance::Visit(v.into()),
            Source::Session(s) => Provenance::LearningSession(s.into()),
        }
    }
}

/// A line diff between two versions, as in a unified diff, of at most 1,000
/// lines. Texts that differ too much for the smallest diff to be found in
/// about a second get a coarser one: whole blocks removed and added.
#[derive(SimpleObject, Clone, Debug)]
pub struct GuidelineDiff {
    /// The hunks, in order; their lines together number at most 1,000.
    // Each hunk holds at least one line, so the bound on lines bounds hunks
    // and lines together: a hunk's own fields are counted once per line too.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::MAX_DIFF_LINES, child_complexity)"
    )]
    pub hunks: Vec<DiffHunk>,
    /// Whether the diff is longer than 1,000 lines and was cut there: the
    /// last hunk then stops short, and later changes are left out.
    pub truncated: bool,
}

impl From<Diff> for GuidelineDiff {
    fn from(diff: Diff) -> Self {
        Self {
            hunks: diff.hunks.into_iter().map(DiffHunk::from).collect(),
            truncated: diff.truncated,
        }
    }
}

/// One hunk of a line diff between two versions, as in a unified diff.
#[derive(SimpleObject, Clone, Debug)]
pub struct DiffHunk {
    /// First line of the hunk in the older version (from 1).
    pub old_start: i32,
    /// Number of lines of the older version in the hunk.
    pub old_lines: i32,
    /// First line of the hunk in the newer version (from 1).
    pub new_start: i32,
    /// Number of lines of the newer version in the hunk.
    pub new_lines: i32,
    /// The lines, in order.
    pub lines: Vec<DiffLine>,
}

/// How a line of a diff relates the two versions.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum DiffLineKind {
    /// In both versions.
    Context,
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
}

/// One line of a diff hunk.
#[derive(SimpleObject, Clone, Debug)]
pub struct DiffLine {
    /// Whether the line is in both versions, only the newer, or only the older.
    pub kind: DiffLineKind,
    /// The line's text, without its line end.
    pub text: String,
}

impl From<Hunk> for DiffHunk {
    fn from(hunk: Hunk) -> Self {
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            old_start: count(hunk.old_start),
            old_lines: count(hunk.old_lines),
            new_start: count(hunk.new_start),
            new_lines: count(hunk.new_lines),
            lines: hunk
                .lines
                .into_iter()
                .map(|(change, text)| DiffLine {
                    kind: match change {
                        LineChange::Context => DiffLineKind::Context,
                        LineChange::Added => DiffLineKind::Added,
                        LineChange::Removed => DiffLineKind::Removed,
                    },
                    text,
                })
                .collect(),
        }
    }
}

/// A numbered part ("4") or rule ("4.2") of a guideline version, with its
/// text in several languages and what informed it. The same rule in other
/// versions shares its `lineage`.
#[derive(Clone, Debug)]
pub struct Rule {
    model: Arc<guideline_rule::Model>,
    version: Arc<guideline_version::Model>,
    guideline: Arc<guideline::Model>,
}

impl Rule {
    pub(crate) fn new(
        model: guideline_rule::Model,
        version: Arc<guideline_version::Model>,
        guideline: Arc<guideline::Model>,
    ) -> Self {
        Self {
            model: Arc::new(model),
            version,
            guideline,
        }
    }

    /// The rule with this row id, unless its version is a draft the caller may not read.
    ///
    /// # Errors
    /// Database errors.
    pub async fn find_visible(ctx: &Context<'_>, row: i32) -> Result<Option<Self>, AppError> {
        let db = context::db(ctx);
        let Some(rule) =
            crate::service::kernel::read::find_by_id::<guideline_rule::Entity>(db, row).await?
        else {
            return Ok(None);
        };
        let version = GuidelineVersion::find_visible(ctx, rule.guideline_version_id).await?;
        Ok(version.map(|v| Self {
            model: Arc::new(rule),
            version: v.model,
            guideline: v.guideline,
        }))
    }

    /// The rule numbered `number` in the latest ADOPTED version of the guideline `key`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn in_latest_adopted(
        ctx: &Context<'_>,
        key: &str,
        number: &str,
    ) -> Result<Option<Self>, AppError> {
        let db = context::db(ctx);
        let Some(guideline) = service::guideline::find_by_key(db, key).await? else {
            return Ok(None);
        };
        let found = service::guideline::rules::in_latest_adopted(db, guideline.id, number).await?;
        Ok(found.map(|(rule, version)| Self::new(rule, Arc::new(version), Arc::new(guideline))))
    }
}

translated! {
    /// The texts of a rule, which `Rule` shows as its own.
    pub(crate) struct RuleTexts(Arc<guideline_rule::Model>);

    /// Title in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    title: String,
    /// The language `title(lang:)` serves for the same `lang`: the one asked
    /// for when the rule has a title in it, else English, the fallback.
    title_language("As in `title(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
    /// Text in the caller's language (`lang`: en, fr, nl or es; else the
    /// `Accept-Language` header), falling back to English.
    text: String,
    /// The language `text(lang:)` serves for the same `lang`: the one asked
    /// for when the rule has a text in it, else English, the fallback.
    text_language("As in `text(lang:)`: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English.");
    /// Commentary (why the rule says what it says) in the caller's language,
    /// falling back to English; null when there is none.
    commentary: Option<String>;
}

paginated! {
    /// The consultation on a rule, which `Rule` shows as its own.
    pub(crate) struct RuleConsultation(Rule);

    /// The comments made on this rule during its version's consultation, in
    /// the order they came, a page at a time (`first` defaults to 50, at most
    /// 500); who sees which is as in `GuidelineVersion.consultationComments`.
    async fn consultation_comments(&self, ctx, args) -> ConsultationCommentConnection {
        let rule = &self.0;
        let comments = context::load(ctx, RuleComments(rule.model.id)).await?;
        let list = ("rule-comments", rule.model.id);
        let comments = comments.unwrap_or_default();
        ConsultationComment::page(ctx, comments, rule.version.status, list, args).await
    }
}

/// A numbered part ("4") or rule ("4.2") of a guideline version, with its
/// text in several languages and what informed it. The same rule in other
/// versions shares its `lineage`.
#[Object]
impl Rule {
    /// Global id; a rule in another version has another id and the same `lineage`.
    pub async fn id(&self) -> ID {
        id::encode(Kind::Rule, self.model.uuid)
    }
    /// The identity of this rule across versions (a UUID): a new draft copies
    /// the rules before it with their lineage, whatever their number becomes.
    async fn lineage(&self) -> String {
        self.model.lineage.to_string()
    }
    /// "4" for a part, "4.2" for a rule in part 4.
    async fn number(&self) -> &str {
        &self.model.number
    }
    /// Whether this is a part (a top-level number) rather than a rule in one.
    async fn part(&self) -> bool {
        service::guideline::rules::is_part(&self.model.number)
    }
    /// `title`, `titleLanguage`, `text`, `textLanguage` and `commentary`.
    #[graphql(flatten)]
    async fn texts(&self) -> RuleTexts {
        RuleTexts(self.model.clone())
    }
    /// The visits, learning sessions and resources that informed this rule (at most 20).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::rules::MAX_RULE_SOURCES, child_complexity)"
    )]
    async fn informed_by(&self, ctx: &Context<'_>) -> Result<Vec<RuleProvenance>> {
        Ok(context::load_all(ctx, RuleSourcesOf(self.model.id)).await?)
    }
    /// The version this rule is part of.
    async fn guideline_version(&self) -> GuidelineVersion {
        GuidelineVersion {
            model: self.version.clone(),
            guideline: self.guideline.clone(),
        }
    }
    /// `consultationComments`.
    #[graphql(flatten)]
    async fn consultation(&self) -> RuleConsultation {
        RuleConsultation(self.clone())
    }
    /// This rule in every version the caller may see (drafts: editors and
    /// admins only), oldest version first, this one included (at most 50).
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::rules::MAX_RULE_HISTORY, child_complexity)"
    )]
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<Rule>> {
        let rows = context::load(ctx, RuleHistory(self.model.lineage)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|(rule, version)| Rule::new(rule, Arc::new(version), self.guideline.clone()))
            .collect())
    }
}

/// What informed a rule: a study visit, a learning session or a resource of
/// the knowledge library.
#[derive(Union, Clone, Debug)]
pub enum RuleProvenance {
    Visit(Visit),
    LearningSession(LearningSession),
    Resource(Resource),
}

impl From<service::guideline::rules::SourceRecord> for RuleProvenance {
    fn from(source: service::guideline::rules::SourceRecord) -> Self {
        use service::guideline::rules::SourceRecord;
        match source {
            SourceRecord::Visit(v) => RuleProvenance::Visit(v.into()),
            SourceRecord::Session(s) => RuleProvenance::LearningSession(s.into()),
            SourceRecord::Resource(r) => RuleProvenance::Resource(r.into()),
        }
    }
}

/// How the rules of a version differ from another's, rule by rule.
#[derive(SimpleObject, Clone, Debug)]
pub struct GuidelineRuleDiff {
    /// How many rules differ, all of them, however many `first` lists.
    pub total_count: i32,
    /// The rules that differ: those of the newer version in its order, then
    /// the removed ones in the older version's order.
    pub changes: Vec<RuleChange>,
}

/// What happened to one rule between two versions.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum RuleChangeKind {
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
    /// In both with the same number; its title, text, commentary or sources
    /// changed (`changedFields` says which).
    Changed,
    /// In both with another number; its text may have changed too.
    Renumbered,
}

impl From<service::guideline::rules::RuleChange> for RuleChangeKind {
    fn from(change: service::guideline::rules::RuleChange) -> Self {
        use service::guideline::rules::RuleChange as C;
        match change {
            C::Added => Self::Added,
            C::Removed => Self::Removed,
            C::Changed => Self::Changed,
            C::Renumbered => Self::Renumbered,
        }
    }
}

/// What of a rule differs between two versions.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum RuleChangeField {
    /// Its number.
    Number,
    /// Its title, in any language.
    Title,
    /// Its text, in any language.
    Text,
    /// Its commentary, in any language.
    Commentary,
    /// The visits, learning sessions and resources that informed it
    /// (`informedByAdded`, `informedByRemoved`).
    InformedBy,
}

impl From<service::guideline::rules::Aspect> for RuleChangeField {
    fn from(aspect: service::guideline::rules::Aspect) -> Self {
        use service::guideline::rules::Aspect as A;
        match aspect {
            A::Number => Self::Number,
            A::Title => Self::Title,
            A::Text => Self::Text,
            A::Commentary => Self::Commentary,
            A::Sources => Self::InformedBy,
        }
    }
}

/// One rule that differs between two versions.
#[derive(Clone, Debug)]
pub struct RuleChange {
    change: RuleChangeKind,
    aspects: Vec<RuleChangeField>,
    old: Option<Rule>,
    new: Option<Rule>,
}

/// One rule that differs between two versions.
#[Object]
impl RuleChange {
    /// What happened to it.
    async fn change(&self) -> RuleChangeKind {
        self.change
    }
    /// What of it differs, for a rule in both versions: its number, title,
    /// text, commentary, sources; empty for an added or removed rule.
    async fn changed_fields(&self) -> Vec<RuleChangeField> {
        self.aspects.clone()
    }
    /// The visits, learning sessions and resources that inform it in the
    /// newer version and did not in the older (at most 20); for an added
    /// rule, all of its sources.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::rules::MAX_RULE_SOURCES, child_complexity)"
    )]
    async fn informed_by_added(&self, ctx: &Context<'_>) -> Result<Vec<RuleProvenance>> {
        sources_only_in(ctx, self.new.as_ref(), self.old.as_ref()).await
    }
    /// The visits, learning sessions and resources that informed it in the
    /// older version and do not in the newer (at most 20); for a removed
    /// rule, all of its sources.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::rules::MAX_RULE_SOURCES, child_complexity)"
    )]
    async fn informed_by_removed(&self, ctx: &Context<'_>) -> Result<Vec<RuleProvenance>> {
        sources_only_in(ctx, self.old.as_ref(), self.new.as_ref()).await
    }
    /// Its number in the newer version, else (removed) in the older.
    async fn number(&self) -> &str {
        self.new
            .as_ref()
            .or(self.old.as_ref())
            .map_or("", |r| r.model.number.as_str())
    }
    /// Its number in the older version; null when it was added.
    async fn previous_number(&self) -> Option<&str> {
        self.old.as_ref().map(|r| r.model.number.as_str())
    }
    /// The rule in the newer version; null when it was removed.
    async fn rule(&self) -> Option<Rule> {
        self.new.clone()
    }
    /// The rule in the older version; null when it was added.
    async fn previous(&self) -> Option<Rule> {
        self.old.clone()
    }
    /// A line diff of its English title, text and commentary, from the older
    /// version to the newer, of at most 100 lines with three of context.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(crate::service::guideline::rules::MAX_RULE_DIFF_LINES, child_complexity)"
    )]
    async fn text_diff(&self) -> Result<Vec<DiffLine>> {
        let text = |r: &Option<Rule>| {
            r.as_ref()
                .map(|r| service::guideline::rules::english_text(&r.model))
                .unwrap_or_default()
        };
        let diff = service::guideline::bounded_diff_lines(
            text(&self.old),
            text(&self.new),
            service::guideline::rules::MAX_RULE_DIFF_LINES,
        )
        .await?;
        Ok(diff
            .hunks
            .into_iter()
            .flat_map(|h| DiffHunk::from(h).lines)
            .collect())
    }
}

/// The sources of `rule` that `other` does not have, through the request's
/// batching loader.
async fn sources_only_in(
    ctx: &Context<'_>,
    rule: Option<&Rule>,
    other: Option<&Rule>,
) -> Result<Vec<RuleProvenance>> {
    use service::guideline::rules::SourceRecord;
    let Some(rule) = rule else {
        return Ok(Vec::new());
    };
    let key = |source: &SourceRecord| match source {
        SourceRecord::Visit(v) => (0, v.id),
        SourceRecord::Session(s) => (1, s.id),
        SourceRecord::Resource(r) => (2, r.id),
    };
    let theirs: std::collections::HashSet<(u8, i32)> = match other {
        Some(other) => context::load(ctx, RuleSourcesOf(other.model.id))
            .await?
            .unwrap_or_default()
            .iter()
            .map(key)
            .collect(),
        None => std::collections::HashSet::new(),
    };
    Ok(context::load(ctx, RuleSourcesOf(rule.model.id))
        .await?
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !theirs.contains(&key(s)))
        .map(Into::into)
        .collect())
}

/// The page `args` ask for of the guideline versions linked to a record
/// (`Resource.guidelineVersions`, ...) that the caller may see: drafts for
/// editors and admins only, so each sees a list of their own, which
/// `fingerprint` tells apart by the name it gets.
///
/// # Errors
/// Database errors; `BAD_USER_INPUT` for bad page arguments.
pub(crate) async fn linked_versions<K>(
    ctx: &Context<'_>,
    key: K,
    fingerprint: impl FnOnce(&str) -> String,
    args: &PageArgs,
) -> Result<GuidelineVersionConnection>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: Loader<
            K,
            Value = Vec<(guideline_version::Model, guideline::Model)>,
            Error = Arc<sea_orm::DbErr>,
        >,
{
    let drafts = context::drafts(ctx);
    let mut items = context::load(ctx, key).await?.unwrap_or_default();
    items.retain(|(v, _)| drafts.admit(v.status));
    let fingerprint = fingerprint(&format!("guideline-versions-{drafts:?}"));
    sliced(items, &fingerprint, args, GuidelineVersion::from).await
}
