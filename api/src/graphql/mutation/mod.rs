//! The `Mutation` root, merged from one object per domain. Every mutation is
//! one transaction: it is written whole, with its audit record, or not at all.

mod facility;
mod guideline;
mod learning_session;
mod stakeholder;
mod visit;

use async_graphql::{InputObject, MaybeUndefined, MergedObject};
use entity::value::LocalizedText;

use crate::error::{AppError, Problem};
use crate::graphql::context::Lang;

/// Every write of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    facility::FacilityMutation,
    visit::VisitMutation,
    learning_session::LearningSessionMutation,
    stakeholder::StakeholderMutation,
    guideline::GuidelineMutation,
);

/// Prose in one language.
#[derive(InputObject, Debug, Clone)]
pub struct TranslationInput {
    /// `en`, `fr`, `nl` or `es`.
    pub lang: String,
    /// The text in that language.
    pub text: String,
}

/// Prose in several languages, English first among equals: it is the text the others fall back to.
///
/// # Errors
/// `BAD_USER_INPUT` for an unknown or repeated language, or no English text.
pub fn localized(field: &str, items: Vec<TranslationInput>) -> Result<LocalizedText, AppError> {
    let mut text = LocalizedText::default();
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let Some(lang) = Lang::parse(&item.lang) else {
            problems.push(Problem {
                field: format!("{field}[{i}].lang"),
                message: format!(
                    "`{}` is not a language of this API: use en, fr, nl or es",
                    item.lang
                ),
            });
            continue;
        };
        if text.0.insert(lang.code().to_owned(), item.text).is_some() {
            problems.push(Problem {
                field: format!("{field}[{i}].lang"),
                message: format!("`{}` appears twice", lang.code()),
            });
        }
    }
    if !text.0.is_empty() && !text.0.contains_key("en") {
        problems.push(Problem {
            field: field.to_owned(),
            message: "give an English text (`en`): it is what other languages fall back to"
                .to_owned(),
        });
    }
    if problems.is_empty() {
        Ok(text)
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// An optional list of translations: none or an empty list mean no text.
///
/// # Errors
/// As [`localized`].
pub fn localized_opt(
    field: &str,
    items: Option<Vec<TranslationInput>>,
) -> Result<Option<LocalizedText>, AppError> {
    match items {
        Some(items) if !items.is_empty() => localized(field, items).map(Some),
        _ => Ok(None),
    }
}

/// Row ids of global ids that must all be of `kind`; every bad one is reported.
///
/// # Errors
/// `BAD_USER_INPUT` naming each malformed id by its position.
pub fn decode_ids(
    ids: &[async_graphql::ID],
    kind: crate::graphql::id::Kind,
    field: &str,
) -> Result<Vec<i32>, AppError> {
    let mut rows = Vec::with_capacity(ids.len());
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("{field}[{i}]");
        match crate::graphql::id::decode(id, kind, &field) {
            Ok(row) => rows.push(row),
            Err(err) => problems.push(Problem {
                field,
                message: err.public_message(),
            }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::Invalid(problems))
    }
}

/// The row id of an optional global id.
///
/// # Errors
/// `BAD_USER_INPUT` for a malformed id or one of another type.
pub fn decode_opt(
    id: Option<&async_graphql::ID>,
    kind: crate::graphql::id::Kind,
    field: &str,
) -> Result<Option<i32>, AppError> {
    id.map(|id| crate::graphql::id::decode(id, kind, field))
        .transpose()
}

/// An optional reference in a patch, decoded: absent, cleared, or a row id.
///
/// # Errors
/// `BAD_USER_INPUT` for a malformed id or one of another type.
pub fn decode_maybe(
    id: MaybeUndefined<async_graphql::ID>,
    kind: crate::graphql::id::Kind,
    field: &str,
) -> Result<MaybeUndefined<i32>, AppError> {
    match id {
        MaybeUndefined::Undefined => Ok(MaybeUndefined::Undefined),
        MaybeUndefined::Null => Ok(MaybeUndefined::Null),
        MaybeUndefined::Value(id) => {
            crate::graphql::id::decode(&id, kind, field).map(MaybeUndefined::Value)
        }
    }
}

/// Prose in a patch, checked: absent, cleared, or text; an empty list clears it.
///
/// # Errors
/// As [`localized`].
pub fn prose_maybe(
    items: MaybeUndefined<Vec<TranslationInput>>,
    field: &str,
) -> Result<MaybeUndefined<entity::value::LocalizedText>, AppError> {
    match items {
        MaybeUndefined::Undefined => Ok(MaybeUndefined::Undefined),
        MaybeUndefined::Null => Ok(MaybeUndefined::Null),
        MaybeUndefined::Value(items) => Ok(match localized_opt(field, Some(items))? {
            Some(text) => MaybeUndefined::Value(text),
            None => MaybeUndefined::Null,
        }),
    }
}
