//! What a request knows about its caller (who it is and which language it
//! reads) and what it carries: the database and the batching loader.

use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{DatabaseConnection, DbErr};

use entity::value::{LocalizedText, Role};

use crate::auth::Caller;
use crate::error::AppError;
use crate::graphql::loader::DbLoader;
use crate::service::guideline::Drafts;
use crate::service::kernel::unit_of_work::Actor;
use crate::service::stakeholder::Audience;

/// The languages prose is written in; English is the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Fr,
    Nl,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::Nl, Lang::Es];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Nl => "nl",
            Lang::Es => "es",
        }
    }

    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_lowercase();
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The best supported language of an `Accept-Language` header, by quality.
    #[must_use]
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else {
                continue;
            };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }
}

/// The database, which the schema carries for every request.
pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

/// The caller; anonymous when the request carries none.
pub fn caller<'a>(ctx: &Context<'a>) -> std::borrow::Cow<'a, Caller> {
    ctx.data_opt::<Caller>().map_or_else(
        || std::borrow::Cow::Owned(Caller::anonymous()),
        std::borrow::Cow::Borrowed,
    )
}

/// The caller as a writer: mutations need a token.
///
/// # Errors
/// `UNAUTHENTICATED` without a token, and for a partner whose organisation
/// the token check did not find registered.
pub fn actor(ctx: &Context<'_>) -> Result<Actor, AppError> {
    let caller = caller(ctx);
    let Some(role) = caller.role else {
        return Err(AppError::Unauthenticated(
            "writing needs a bearer token: send `Authorization: Bearer <token>` (ask an admin for one)"
                .to_owned(),
        ));
    };
    let organisation = match (&caller.organisation, role) {
        // The token check read the record; a partner without one is not registered.
        (Some(slug), Role::Partner) => {
            Some(caller.organisation_record.clone().ok_or_else(|| {
                AppError::Unauthenticated(format!(
                    "the organisation `{slug}` of this token is not registered"
                ))
            })?)
        }
        _ => None,
    };
    Ok(Actor {
        subject: caller.subject.clone(),
        role,
        organisation,
    })
}

/// What the caller sees of stakeholders: everything, or what each consented to.
pub fn audience(ctx: &Context<'_>) -> Audience {
    Audience::for_editor(caller(ctx).is_editor())
}

/// Whether the caller sees guideline drafts.
pub fn drafts(ctx: &Context<'_>) -> Drafts {
    Drafts::for_editor(caller(ctx).is_editor())
}

/// The language asked for by argument, else by header, else English.
///
/// # Errors
/// `BAD_USER_INPUT` for a language the API does not serve.
pub fn lang(ctx: &Context<'_>, requested: Option<&str>) -> Result<Lang, AppError> {
    match requested {
        Some(code) => Lang::parse(code).ok_or_else(|| {
            AppError::bad_input(
                "lang",
                format!("`{code}` is not a language of this API: use en, fr, nl or es"),
            )
        }),
        None => Ok(ctx.data_opt::<Lang>().copied().unwrap_or_default()),
    }
}

/// The request's batching loader.
pub fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<DbLoader> {
    ctx.data_unchecked::<Arc<DataLoader<DbLoader>>>()
}

/// What the request's loader holds for `key`, batched with the other
/// fields of the request that ask for the same kind of key.
///
/// # Errors
/// The database error of the batch.
pub async fn load<K>(
    ctx: &Context<'_>,
    key: K,
) -> Result<Option<<DbLoader as Loader<K>>::Value>, AppError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = Arc<DbErr>>,
{
    loader(ctx).load_one(key).await.map_err(AppError::from)
}

/// The children the request's loader holds for `key`, as API types.
///
/// # Errors
/// As [`load`].
pub async fn load_all<K, M, T>(ctx: &Context<'_>, key: K) -> Result<Vec<T>, AppError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Value = Vec<M>, Error = Arc<DbErr>>,
    T: From<M>,
{
    let children = load(ctx, key).await?.unwrap_or_default();
    Ok(children.into_iter().map(T::from).collect())
}

/// Prose in the language asked for by argument, else by header, else in
/// English (see [`LocalizedText::get`]).
///
/// # Errors
/// As [`lang`].
pub fn translated(
    ctx: &Context<'_>,
    requested: Option<&str>,
    text: Option<&LocalizedText>,
) -> Result<Option<String>, AppError> {
    let lang = lang(ctx, requested)?;
    Ok(text.and_then(|t| t.get(lang.code())).map(str::to_owned))
}

/// The language [`translated`] serves for the same request: the one asked
/// for where the text has it, else the fallback's; none without a text.
///
/// # Errors
/// As [`lang`].
pub fn served_language(
    ctx: &Context<'_>,
    requested: Option<&str>,
    text: Option<&LocalizedText>,
) -> Result<Option<Lang>, AppError> {
    let lang = lang(ctx, requested)?;
    Ok(text
        .and_then(|t| t.served(lang.code()))
        .and_then(|(code, _)| Lang::parse(code)))
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Lang::from_accept_language("de-DE, fr;q=0.8, en;q=0.5"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("nl-BE"), Some(Lang::Nl));
        assert_eq!(Lang::from_accept_language("de, it"), None);
        assert_eq!(
            Lang::from_accept_language("es;q=0, en;q=0.1"),
            Some(Lang::En)
        );
    }
}
