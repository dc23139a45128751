//! Prose in the caller's language: the fields that serve a stored text in
//! the language asked for, each with its `lang` argument, and, where the
//! API says which language it served, their `…Language` companions.

use async_graphql::Context;
use entity::value::LocalizedText;

use super::label::Language;
use crate::error::AppError;
use crate::graphql::context;

/// A stored text that a field serves translated: one every record has, or
/// one a record may lack.
pub trait Prose {
    /// What the field answers: the text; for a text a record may lack, null
    /// without it.
    type Served;

    /// The text in all its languages, when the record has it.
    fn localized(&self) -> Option<&LocalizedText>;

    /// The field's answer from the translation [`context::translated`] found.
    fn serve(translation: Option<String>) -> Self::Served;
}

impl Prose for LocalizedText {
    type Served = String;

    fn localized(&self) -> Option<&LocalizedText> {
        Some(self)
    }

    fn serve(translation: Option<String>) -> String {
        translation.unwrap_or_default()
    }
}

impl Prose for Option<LocalizedText> {
    type Served = Option<String>;

    fn localized(&self) -> Option<&LocalizedText> {
        self.as_ref()
    }

    fn serve(translation: Option<String>) -> Option<String> {
        translation
    }
}

/// `prose` in the language asked for (see [`context::translated`]).
///
/// # Errors
/// As [`context::lang`].
pub fn text<P: Prose>(
    ctx: &Context<'_>,
    requested: Option<&str>,
    prose: &P,
) -> Result<P::Served, AppError> {
    Ok(P::serve(context::translated(
        ctx,
        requested,
        prose.localized(),
    )?))
}

/// The language [`text`] serves for the same request (see
/// [`context::served_language`]).
///
/// # Errors
/// As [`context::lang`].
pub fn language<P: Prose>(
    ctx: &Context<'_>,
    requested: Option<&str>,
    prose: &P,
) -> Result<Option<Language>, AppError> {
    let served = context::served_language(ctx, requested, prose.localized())?;
    Ok(served.map(Into::into))
}

/// Declares an object of translated fields, which the type that flattens it
/// (`#[graphql(flatten)]`) shows as its own: no type of its name is in the
/// schema. It holds the record; each field is named after the record's
/// text it serves, with what it answers (`String` for a text every record
/// has, else `Option<String>`), and, after a comma, its companion that says
/// which language it served, with the description of that one's `lang`:
///
/// ```ignore
/// translated! {
///     pub(crate) struct VisitTexts(Arc<visit::Model>);
///
///     /// Summary in the caller's language, falling back to English.
///     summary: Option<String>,
///     /// The language `summary(lang:)` serves for the same `lang`.
///     summary_language("As in `summary(lang:)`: ...");
/// }
/// ```
// A macro for the reasons `paginated!` is one.
macro_rules! translated {
    (
        $(#[doc = $holder_doc:tt])*
        $vis:vis struct $holder:ident($held:ty);
        $(
            $(#[doc = $doc:tt])*
            $field:ident: $served:ty
            $(, $(#[doc = $language_doc:tt])* $language:ident($language_desc:tt))?;
        )+
    ) => {
        $(#[doc = $holder_doc])*
        $vis struct $holder($held);

        #[async_graphql::Object]
        impl $holder {
            $(
                $(#[doc = $doc])*
                async fn $field(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(
                        desc = "Language: `en`, `fr`, `nl` or `es`; absent: the `Accept-Language` header, then English."
                    )]
                    lang: Option<String>,
                ) -> async_graphql::Result<$served> {
                    let text = &self.0.$field;
                    let served = $crate::graphql::types::translated::text(ctx, lang.as_deref(), text)?;
                    Ok(served)
                }
                $(
                    $(#[doc = $language_doc])*
                    async fn $language(
                        &self,
                        ctx: &async_graphql::Context<'_>,
                        #[graphql(desc = $language_desc)] lang: Option<String>,
                    ) -> async_graphql::Result<Option<$crate::graphql::types::label::Language>> {
                        let text = &self.0.$field;
                        let served =
                            $crate::graphql::types::translated::language(ctx, lang.as_deref(), text)?;
                        Ok(served)
                    }
                )?
            )+
        }
    };
}
pub(crate) use translated;
