//! Writing guideline versions through their workflow (editors and admins).

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::{TranslationInput, create, localized, localized_opt, set, update, writer};
use crate::error::{AppError, Problem};
use crate::graphql::context;
use crate::graphql::id::{self, Kind};
use crate::graphql::types::guideline::{GuidelineStatus, GuidelineVersion};
use crate::service;
use crate::service::guideline::rules::RuleFields;
use crate::service::guideline::write::{
    self as guideline_write, GuidelineRef, GuidelineVersion as VersionRecord, VersionFields,
};

/// A new version of a guideline. It starts in DRAFT with the next number.
#[derive(InputObject, Debug)]
pub struct GuidelineVersionInput {
    /// Title of this version (at most 200 characters).
    pub title: String,
    /// The text, in Markdown; ignored when the version has rules, from
    /// which it is rendered.
    pub body: Option<String>,
    /// Visits and learning sessions that informed it (their ids).
    pub informed_by: Option<Vec<ID>>,
    /// The numbered parts and rules, in order. Absent: a copy of the rules
    /// of the latest version (none for a first version).
    pub rules: Option<Vec<RuleInput>>,
}

/// Changes to a version in DRAFT: an absent field stays; a list replaces the list.
#[derive(InputObject, Debug, Default)]
pub struct GuidelineVersionPatch {
    /// Title.
    pub title: Option<String>,
    /// The text, in Markdown.
    pub body: Option<String>,
    /// Visits and learning sessions that informed it (replaces the list).
    pub informed_by: Option<Vec<ID>>,
    /// The numbered parts and rules, in order (replaces the list; `body` is
    /// then rendered from them, and `[]` leaves a hand-written body).
    pub rules: Option<Vec<RuleInput>>,
}

/// A numbered part ("4") or rule ("4.2") of a guideline version.
#[derive(InputObject, Debug)]
pub struct RuleInput {
    /// "4" for a part, "4.2" for a rule in part 4; parts come before their
    /// rules, and numbers increase through the list.
    pub number: String,
    /// Title, one line, in English and any of French, Dutch and Spanish.
    pub title: Vec<TranslationInput>,
    /// Text, in English and any of French, Dutch and Spanish.
    pub text: Vec<TranslationInput>,
    /// Commentary: why the rule says what it says, in the same languages.
    pub commentary: Option<Vec<TranslationInput>>,
    /// The visits, learning sessions and resources that informed this rule (their ids).
    pub informed_by: Option<Vec<ID>>,
    /// The `lineage` of the rule this one continues (from an earlier
    /// version, or the draft before this change). Absent: the rule with
    /// the same number there, else a new rule.
    pub lineage: Option<String>,
}

/// Visit and session row ids of a list of `Visit` and `LearningSession` ids.
async fn provenance(ctx: &Context<'_>, ids: &[ID]) -> Result<(Vec<i32>, Vec<i32>), AppError> {
    let mut visits = Vec::new();
    let mut sessions = Vec::new();
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("input.informedBy[{i}]");
        match id::decode_any(id, &field) {
            Ok((Kind::Visit, key)) => visits.push(key),
            Ok((Kind::LearningSession, key)) => sessions.push(key),
            Ok(_) => problems.push(Problem {
                field,
                message: "only visits and learning sessions inform a guideline version".to_owned(),
            }),
            Err(err) => problems.push(Problem {
                field,
                message: err.public_message(),
            }),
        }
    }
    if problems.is_empty() {
        let db = context::db(ctx);
        Ok((
            id::rows(db, Kind::Visit, &visits).await?,
            id::rows(db, Kind::LearningSession, &sessions).await?,
        ))
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// The rules of an input or patch as fields, every problem listed at once.
async fn rules(ctx: &Context<'_>, inputs: Vec<RuleInput>) -> Result<Vec<RuleFields>, AppError> {
    let mut out = Vec::with_capacity(inputs.len());
    let mut problems = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let at = format!("input.rules[{i}]");
        let title = gather(
            &mut problems,
            localized(&format!("{at}.title"), input.title),
        );
        let text = gather(&mut problems, localized(&format!("{at}.text"), input.text));
        let commentary = gather(
            &mut problems,
            localized_opt(&format!("{at}.commentary"), input.commentary),
        );
        let lineage = match input.lineage.as_deref().map(uuid::Uuid::parse_str) {
            None => Some(None),
            Some(Ok(lineage)) => Some(Some(lineage)),
            Some(Err(_)) => {
                problems.push(Problem {
                    field: format!("{at}.lineage"),
                    message: "a lineage is a UUID, as `Rule.lineage` gives it".to_owned(),
                });
                None
            }
        };
        let sources = rule_sources(ctx, &at, &input.informed_by.unwrap_or_default()).await;
        let sources = match sources {
            Ok(sources) => Some(sources),
            Err(AppError::Invalid(list)) => {
                problems.extend(list);
                None
            }
            Err(other) => return Err(other),
        };
        if let (Some(title), Some(text), Some(commentary), Some(lineage), Some(sources)) =
            (title, text, commentary, lineage, sources)
        {
            out.push(RuleFields {
                lineage,
                number: input.number,
                title,
                text,
                commentary,
                informed_by_visits: sources.0,
                informed_by_sessions: sources.1,
                informed_by_resources: sources.2,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// The value of `result`, or its problems added to `problems`.
fn gather<T>(problems: &mut Vec<Problem>, result: Result<T, AppError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(AppError::Invalid(list)) => {
            problems.extend(list);
            None
        }
        Err(other) => {
            problems.push(Problem {
                field: "input.rules".to_owned(),
                message: other.public_message(),
            });
            None
        }
    }
}

/// Visit, session and resource row ids of a rule's `informedBy`.
async fn rule_sources(
    ctx: &Context<'_>,
    at: &str,
    ids: &[ID],
) -> Result<(Vec<i32>, Vec<i32>, Vec<i32>), AppError> {
    let mut keys = (Vec::new(), Vec::new(), Vec::new());
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("{at}.informedBy[{i}]");
        match id::decode_any(id, &field) {
            Ok((Kind::Visit, key)) => keys.0.push(key),
            Ok((Kind::LearningSession, key)) => keys.1.push(key),
            Ok((Kind::Resource, key)) => keys.2.push(key),
            Ok(_) => problems.push(Problem {
                field,
                message: "only visits, learning sessions and resources inform a rule".to_owned(),
            }),
            Err(err) => problems.push(Problem {
                field,
                message: err.public_message(),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let db = context::db(ctx);
    Ok((
        id::rows(db, Kind::Visit, &keys.0).await?,
        id::rows(db, Kind::LearningSession, &keys.1).await?,
        id::rows(db, Kind::Resource, &keys.2).await?,
    ))
}

impl GuidelineVersionInput {
    async fn into_fields(
        self,
        ctx: &Context<'_>,
        guideline: String,
    ) -> Result<VersionFields, AppError> {
        let (visits, sessions) = provenance(ctx, &self.informed_by.unwrap_or_default()).await?;
        let rules_from_latest = self.rules.is_none();
        Ok(VersionFields {
            guideline: GuidelineRef::Key(guideline),
            title: self.title,
            body: self.body.unwrap_or_default(),
            informed_by_visits: visits,
            informed_by_sessions: sessions,
            rules: rules(ctx, self.rules.unwrap_or_default()).await?,
            rules_from_latest,
        })
    }
}

impl GuidelineVersionPatch {
    /// The patch with its ids decoded, as a change of the stored fields.
    async fn changes(
        self,
        ctx: &Context<'_>,
    ) -> Result<impl FnOnce(&mut VersionFields) + Send, AppError> {
        let informed_by = match self.informed_by.as_deref() {
            Some(ids) => Some(provenance(ctx, ids).await?),
            None => None,
        };
        let new_rules = match self.rules {
            Some(inputs) => Some(rules(ctx, inputs).await?),
            None => None,
        };
        let (title, body) = (self.title, self.body);
        Ok(move |f: &mut VersionFields| {
            set(&mut f.title, title);
            set(&mut f.body, body);
            if let Some((visits, sessions)) = informed_by {
                f.informed_by_visits = visits;
                f.informed_by_sessions = sessions;
            }
            if let Some(new_rules) = new_rules {
                f.rules = new_rules;
            }
        })
    }
}

async fn with_guideline(
    ctx: &Context<'_>,
    model: entity::guideline_version::Model,
) -> Result<GuidelineVersion> {
    let (model, guideline) = service::guideline::find_version(context::db(ctx), model.id)
        .await?
        .ok_or_else(|| AppError::not_found("no guideline version has this id"))?;
    Ok((model, guideline).into())
}

/// The writes of guideline versions.
#[derive(Default)]
pub struct GuidelineMutation;

#[Object]
impl GuidelineMutation {
    /// Starts the next version of a guideline (`ecosystem-rules` or
    /// `relational-security`), in DRAFT. Numbers have no gaps, even when
    /// editors create versions at the same moment.
    async fn create_guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The guideline's key: `ecosystem-rules` or `relational-security`.")]
        guideline: String,
        #[graphql(desc = "The fields to write.")] input: GuidelineVersionInput,
    ) -> Result<GuidelineVersion> {
        let model = create::<VersionRecord>(ctx, input.into_fields(ctx, guideline)).await?;
        with_guideline(ctx, model).await
    }

    /// Changes a version in DRAFT. A version that left DRAFT never changes: that is a `CONFLICT`.
    async fn update_guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: i32,
        #[graphql(desc = "The fields to write.")] input: GuidelineVersionPatch,
    ) -> Result<GuidelineVersion> {
        let kind = Kind::GuidelineVersion;
        let model =
            update::<VersionRecord, _>(ctx, &id, kind, expected_version, input.changes(ctx))
                .await?;
        with_guideline(ctx, model).await
    }

    /// Moves a version one step on, DRAFT → CONSULTATION → ADOPTED, and sets
    /// `publishedOn` to today. Any other move is a `CONFLICT`. With
    /// `expectedVersion`, a version changed since you read it is a `CONFLICT` too.
    async fn advance_guideline_version(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the record.")] id: ID,
        #[graphql(desc = "The next status: CONSULTATION after DRAFT, ADOPTED after CONSULTATION.")]
        to: GuidelineStatus,
        #[graphql(
            desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
        )]
        expected_version: Option<i32>,
    ) -> Result<GuidelineVersion> {
        let (actor, row) = writer(ctx, &id, Kind::GuidelineVersion).await?;
        let model =
            guideline_write::advance(context::db(ctx), actor, row, to.into(), expected_version)
                .await?;
        with_guideline(ctx, model).await
    }
}
