//! The `Mutation` root, merged from one object per domain, and the input
//! helpers the domains share. Every mutation is one transaction: it is
//! written whole, with its audit record, or not at all.

/// The `create…`, `update…` and `delete…` mutations of a kind of record, as
/// one object: its [`Record`], the object it answers, the kind of its ids,
/// then the name and description of each mutation, with the
/// [`RecordInput`] and [`RecordPatch`] they take. A macro, not a generic
/// object, because `#[Object]` takes every field written out with its own
/// name and description; what each field does is [`create`], [`update`]
/// and [`delete`]. It stands before the modules: a macro is in scope only
/// after its definition.
macro_rules! record_writes {
    (
        @stored [$id:ident, $version:ident] [$($stored:tt)*]
        $(#[doc = $doc:tt])*
        $object:ident: $record:ty => $answer:ty, $kind:expr;
        $(#[doc = $create_doc:tt])* $create:ident($input:ty);
        $(#[doc = $update_doc:tt])* $update:ident($patch:ty);
        $(#[doc = $delete_doc:tt])* $delete:ident;
    ) => {
        $(#[doc = $doc])*
        #[derive(Default)]
        pub struct $object;

        #[async_graphql::Object]
        impl $object {
            $(#[doc = $create_doc])*
            async fn $create(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "The fields to write.")] input: $input,
            ) -> async_graphql::Result<$answer> {
                let fields = $crate::graphql::mutation::RecordInput::decode(input, ctx);
                let model = $crate::graphql::mutation::create::<$record>(ctx, fields).await?;
                Ok(model.into())
            }

            $(#[doc = $update_doc])*
            async fn $update(
                &self,
                ctx: &async_graphql::Context<'_>,
                $($stored)*
                #[graphql(desc = "The fields to write.")] input: $patch,
            ) -> async_graphql::Result<$answer> {
                let apply = $crate::graphql::mutation::RecordPatch::decode(input, ctx);
                let model = $crate::graphql::mutation::update::<$record, _>(
                    ctx,
                    &$id,
                    $kind,
                    $version,
                    apply,
                )
                .await?;
                Ok(model.into())
            }

            $(#[doc = $delete_doc])*
            async fn $delete(
                &self,
                ctx: &async_graphql::Context<'_>,
                $($stored)*
            ) -> async_graphql::Result<async_graphql::ID> {
                $crate::graphql::mutation::delete::<$record>(ctx, $id, $kind, $version)
                    .await
            }
        }
    };
    // The arguments that name a stored record, as its update and its delete
    // take them; the body names them as they are declared here.
    ($($writes:tt)*) => {
        record_writes! {
            @stored [id, expected_version] [
                #[graphql(desc = "Global id of the record.")] id: async_graphql::ID,
                #[graphql(
                    desc = "The `version` you read; if the record changed since, the answer is `CONFLICT` and nothing is written."
                )]
                expected_version: i32,
            ]
            $($writes)*
        }
    };
}

mod competence;
mod consultation;
mod facility;
mod guideline;
mod learning_session;
mod organisation;
mod proposal;
mod resource;
mod stakeholder;
mod token;
mod visit;
mod webhook;
mod workshop;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, MergedObject};
use entity::value::LocalizedText;

use crate::error::{AppError, Problem};
use crate::graphql::context::{self, Lang};
use crate::graphql::id::{self, Kind};
use crate::service::kernel::record::{self, Record};
use crate::service::kernel::unit_of_work::Actor;

/// Every write of the API.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    facility::FacilityMutation,
    facility::FacilityImport,
    visit::VisitMutation,
    learning_session::LearningSessionMutation,
    stakeholder::StakeholderMutation,
    stakeholder::StakeholderErasure,
    guideline::GuidelineMutation,
    organisation::OrganisationMutation,
    proposal::ProposalMutation,
    token::TokenMutation,
    webhook::WebhookMutation,
    resource::ResourceMutation,
    workshop::WorkshopMutation,
    consultation::ConsultationMutation,
    competence::CompetenceAreaMutation,
    competence::CompetenceMutation,
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

/// Row ids of global ids that must all be of `kind`; every bad one is
/// reported, and all are looked up in one query.
///
/// # Errors
/// `BAD_USER_INPUT` naming each malformed id by its position; database errors.
pub async fn decode_ids(
    ctx: &Context<'_>,
    ids: &[ID],
    kind: Kind,
    field: &str,
) -> Result<Vec<i32>, AppError> {
    let mut keys = Vec::with_capacity(ids.len());
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("{field}[{i}]");
        match id::decode(id, kind, &field) {
            Ok(key) => keys.push(key),
            Err(err) => problems.push(Problem {
                field,
                message: err.public_message(),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    id::rows(context::db(ctx), kind, &keys).await
}

/// The row ids of an optional list of global ids: none is an empty list.
///
/// # Errors
/// As [`decode_ids`].
pub async fn decode_all(
    ctx: &Context<'_>,
    ids: Option<Vec<ID>>,
    kind: Kind,
    field: &str,
) -> Result<Vec<i32>, AppError> {
    decode_ids(ctx, &ids.unwrap_or_default(), kind, field).await
}

/// The row id of an optional global id.
///
/// # Errors
/// `BAD_USER_INPUT` for a malformed id or one of another type; database errors.
pub async fn decode_opt(
    ctx: &Context<'_>,
    id: Option<&ID>,
    kind: Kind,
    field: &str,
) -> Result<Option<i32>, AppError> {
    match id {
        Some(id) => Ok(Some(id::row(context::db(ctx), id, kind, field).await?)),
        None => Ok(None),
    }
}

/// A list of ids in a patch, decoded: absent keeps the stored list, a list replaces it.
///
/// # Errors
/// As [`decode_ids`].
pub async fn decode_list(
    ctx: &Context<'_>,
    ids: Option<Vec<ID>>,
    kind: Kind,
    field: &str,
) -> Result<Option<Vec<i32>>, AppError> {
    match ids {
        Some(ids) => Ok(Some(decode_ids(ctx, &ids, kind, field).await?)),
        None => Ok(None),
    }
}

/// An optional reference in a patch, decoded: absent, cleared, or a row id.
///
/// # Errors
/// `BAD_USER_INPUT` for a malformed id or one of another type; database errors.
pub async fn decode_maybe(
    ctx: &Context<'_>,
    id: MaybeUndefined<ID>,
    kind: Kind,
    field: &str,
) -> Result<MaybeUndefined<i32>, AppError> {
    match id {
        MaybeUndefined::Undefined => Ok(MaybeUndefined::Undefined),
        MaybeUndefined::Null => Ok(MaybeUndefined::Null),
        MaybeUndefined::Value(id) => Ok(MaybeUndefined::Value(
            id::row(context::db(ctx), &id, kind, field).await?,
        )),
    }
}

/// Applies a field of a patch that cannot be cleared: absent (`None`)
/// keeps the stored value.
pub fn set<T>(stored: &mut T, patched: Option<T>) {
    if let Some(value) = patched {
        *stored = value;
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

/// An input of a `create…` mutation: the fields of a new record of its
/// [`Record`], with every id and text decoded.
pub trait RecordInput {
    type Record: Record;

    /// # Errors
    /// `BAD_USER_INPUT` for a malformed id, text or list; database errors.
    fn decode(
        self,
        ctx: &Context<'_>,
    ) -> impl Future<Output = Result<<Self::Record as Record>::Fields, AppError>> + Send;
}

/// An input of an `update…` mutation: what it changes of the stored fields
/// of its [`Record`], with every id and text decoded.
pub trait RecordPatch {
    type Record: Record;

    /// # Errors
    /// `BAD_USER_INPUT` for a malformed id, text or list; database errors.
    fn decode(
        self,
        ctx: &Context<'_>,
    ) -> impl Future<
        Output = Result<impl FnOnce(&mut <Self::Record as Record>::Fields) + Send, AppError>,
    > + Send;
}

/// The caller as a writer, and the row of the record that `id` names. The
/// caller comes first: without a token, the answer is `UNAUTHENTICATED`
/// whatever the id.
///
/// # Errors
/// As [`context::actor`], then `BAD_USER_INPUT` for an id that is not of
/// `kind`; database errors.
pub async fn writer(ctx: &Context<'_>, id: &ID, kind: Kind) -> Result<(Actor, i32), AppError> {
    let actor = context::actor(ctx)?;
    let row = id::row(context::db(ctx), id, kind, "id").await?;
    Ok((actor, row))
}

/// Creates a record of `R` from the fields that `input` decodes. The caller
/// comes first: without a token, the answer is `UNAUTHENTICATED` whatever
/// the input.
///
/// # Errors
/// As [`context::actor`], then those of `input`, then those of [`record::create`].
pub async fn create<R: Record>(
    ctx: &Context<'_>,
    input: impl Future<Output = Result<R::Fields, AppError>>,
) -> async_graphql::Result<record::Model<R>> {
    let actor = context::actor(ctx)?;
    let fields = input.await?;
    Ok(record::create::<R>(context::db(ctx), actor, fields).await?)
}

/// Changes the record of `R` that `id` names by the changes that `patch`
/// decodes.
///
/// # Errors
/// As [`writer`], then those of `patch`, then those of [`record::update`].
pub async fn update<R, F>(
    ctx: &Context<'_>,
    id: &ID,
    kind: Kind,
    expected_version: i32,
    patch: impl Future<Output = Result<F, AppError>>,
) -> async_graphql::Result<record::Model<R>>
where
    R: Record,
    F: FnOnce(&mut R::Fields) + Send,
{
    let (actor, row) = writer(ctx, id, kind).await?;
    let apply = patch.await?;
    Ok(record::update::<R>(context::db(ctx), actor, row, expected_version, apply).await?)
}

/// Deletes the record of `R` that `id` names, and answers its id.
///
/// # Errors
/// As [`writer`], then those of [`record::delete`].
pub async fn delete<R>(
    ctx: &Context<'_>,
    id: ID,
    kind: Kind,
    expected_version: i32,
) -> async_graphql::Result<ID>
where
    R: Record,
{
    let (actor, row) = writer(ctx, &id, kind).await?;
    record::delete::<R>(context::db(ctx), actor, row, expected_version).await?;
    Ok(id)
}
