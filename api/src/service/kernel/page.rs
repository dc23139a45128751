//! Relay pagination over any ordered `Select`, with opaque cursors.
//!
//! A cursor names a position in one ordered result: it carries a fingerprint
//! of the filter and order it came from, so a cursor used with another filter
//! is refused instead of silently pointing somewhere else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QueryResult, QuerySelect, QueryTrait, Select,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{AppError, Result};

pub const DEFAULT_PAGE_SIZE: u64 = 50;
pub const MAX_PAGE_SIZE: u64 = 500;

/// The furthest position a cursor may name: far past any list this API
/// holds, and far below where an offset would overflow the databases'
/// signed 64-bit integers once a page's length is added.
const MAX_OFFSET: u64 = 1 << 40;

/// The four Relay arguments as the caller sent them.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    /// Whether the caller also wants the number of items on all pages:
    /// then the page's own statement counts them (see [`fetch`]).
    pub with_total: bool,
}

impl PageArgs {
    /// The same page, with or without the total.
    #[must_use]
    pub fn with_total(self, with_total: bool) -> Self {
        Self { with_total, ..self }
    }
}

/// One page of rows, each with its cursor.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<(String, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// The number of items on all pages, when it was counted with the page.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(|(c, t)| (c, f(t))).collect(),
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total: self.total,
        }
    }
}

/// A short digest of what a result depends on (its kind, filter and order).
#[must_use]
pub fn fingerprint(parts: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(parts).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The cursor of the item at `offset` of the result `fingerprint` names.
#[must_use]
pub fn encode_cursor(fingerprint: &str, offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("c1:{fingerprint}:{offset}"))
}

fn decode_cursor(cursor: &str, fingerprint: &str, argument: &str) -> Result<u64> {
    let malformed = || {
        AppError::bad_input(
            argument,
            format!(
                "`{argument}` is not a cursor of this API: pass an `endCursor` or `startCursor` from a previous page"
            ),
        )
    };
    let raw = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| malformed())?;
    let raw = String::from_utf8(raw).map_err(|_| malformed())?;
    let mut parts = raw.splitn(3, ':');
    let (Some("c1"), Some(fp), Some(offset)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    let offset = offset
        .parse::<u64>()
        .ok()
        .filter(|offset| *offset <= MAX_OFFSET)
        .ok_or_else(malformed)?;
    if fp != fingerprint {
        return Err(AppError::bad_input(
            argument,
            format!(
                "`{argument}` is a cursor from another filter or order: cursors are valid only with the filter and order that produced them"
            ),
        ));
    }
    Ok(offset)
}

fn page_size(value: Option<i32>, argument: &str) -> Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(AppError::bad_input(
            argument,
            format!("`{argument}` must be between 0 and {MAX_PAGE_SIZE}, got {n}"),
        )),
        Some(n) if u64::try_from(n).unwrap_or(u64::MAX) > MAX_PAGE_SIZE => {
            Err(AppError::bad_input(
                argument,
                format!(
                    "`{argument}` must be at most {MAX_PAGE_SIZE}, got {n}: page through larger results with `after`"
                ),
            ))
        }
        Some(n) => Ok(u64::try_from(n).ok()),
    }
}

/// What a filter of one kind of record says to page its list: what it lets
/// through, in which order, and the name its cursors carry.
pub trait Listing: Serialize + Sync {
    type Entity: EntityTrait<Model: Sync>;

    /// The list's name in the fingerprint of its cursors ("visit").
    const NAME: &'static str;

    /// The SQL condition, after checking every value.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` naming the offending filter field.
    fn condition(&self) -> Result<Condition>;

    /// The list's order; ties broken by id, so that pages are stable.
    fn order(select: Select<Self::Entity>) -> Select<Self::Entity>;
}

/// The page of the list `filter` lets through that `args` ask for.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter, page size or cursor; database errors.
pub async fn list<F: Listing>(
    db: &impl ConnectionTrait,
    filter: &F,
    args: &PageArgs,
) -> Result<Page<<F::Entity as EntityTrait>::Model>> {
    let select = F::order(F::Entity::find().filter(filter.condition()?));
    fetch(db, select, &fingerprint(&(F::NAME, filter)), args).await
}

/// How many records `filter` lets through, on all pages together.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter; database errors.
pub async fn count<F: Listing>(db: &impl ConnectionTrait, filter: &F) -> Result<u64> {
    Ok(F::Entity::find()
        .filter(filter.condition()?)
        .count(db)
        .await?)
}

/// Fetches the page that `args` ask for from an ordered `select`. With
/// `args.with_total`, the same statement counts the rows on all pages, in a
/// subquery that the database runs once: one round trip instead of two.
/// Not `COUNT(*) OVER ()`, which reads and numbers every matching row
/// before the limit applies (4.9 ms against 0.6 for 1,639 of 50,000
/// facilities on PostgreSQL), where the subquery counts from an index.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad page size, a foreign or malformed cursor, or
/// `first` and `last` together; database errors otherwise.
pub async fn fetch<E, C>(
    db: &C,
    select: Select<E>,
    fingerprint: &str,
    args: &PageArgs,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let count = select.clone();
    let (offset, limit, counted) =
        window(fingerprint, args, async { Ok(count.count(db).await?) }).await?;
    // One row more than asked tells whether another page follows.
    let select = select.offset(offset).limit(limit + 1);
    if !args.with_total || counted.is_some() {
        let rows = select.all(db).await?;
        return Ok(assemble(fingerprint, offset, limit, rows).counted(counted));
    }
    let total = total_of(&select);
    let rows = select
        .expr_as(total, TOTAL_COLUMN)
        .into_model::<WithTotal<E::Model>>()
        .all(db)
        .await?;
    // Past the end no row carries the total; it is counted on its own then.
    let total = match rows.first() {
        Some(row) => Some(row.total),
        None if offset == 0 => Some(0),
        None => None,
    };
    let rows = rows.into_iter().map(|row| row.model).collect();
    Ok(assemble(fingerprint, offset, limit, rows).counted(total))
}

/// The column that carries the total beside each row of a page.
pub const TOTAL_COLUMN: &str = "wish_page_total";

/// How many rows `select` matches on all pages, as a scalar subquery to put
/// beside each row of its page: every matching row, not the page's, so the
/// same filter without its order, offset and limit, counted where the
/// database can use an index alone.
#[must_use]
pub fn total_of<E: EntityTrait>(select: &Select<E>) -> SimpleExpr {
    let mut matching = select.clone().into_query();
    matching
        .clear_order_by()
        .reset_limit()
        .reset_offset()
        .clear_selects()
        .expr(Expr::val(1));
    let total = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(matching, "wish_matching")
        .to_owned();
    SimpleExpr::SubQuery(None, Box::new(total.into()))
}

/// A row of a page, and the number of rows on all pages.
struct WithTotal<M> {
    model: M,
    total: u64,
}

impl<M: FromQueryResult> FromQueryResult for WithTotal<M> {
    fn from_query_result(row: &QueryResult, prefix: &str) -> std::result::Result<Self, DbErr> {
        let total: i64 = row.try_get(prefix, TOTAL_COLUMN)?;
        Ok(Self {
            model: M::from_query_result(row, prefix)?,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }
}

/// Which slice of an ordered result `args` ask for, as (offset, limit, and
/// the total when it was needed): `total` runs only when paging back from
/// the end.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad page size, a foreign or malformed cursor, or
/// `first` and `last` together; those of `total`.
pub async fn window<F>(
    fingerprint: &str,
    args: &PageArgs,
    total: F,
) -> Result<(u64, u64, Option<u64>)>
where
    F: std::future::Future<Output = Result<u64>>,
{
    let first = page_size(args.first, "first")?;
    let last = page_size(args.last, "last")?;
    if first.is_some() && last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "pass either `first` (with `after`) or `last` (with `before`), not both",
        ));
    }
    let start = match &args.after {
        Some(cursor) => decode_cursor(cursor, fingerprint, "after")?.saturating_add(1),
        None => 0,
    };
    let end = match &args.before {
        Some(cursor) => Some(decode_cursor(cursor, fingerprint, "before")?),
        None => None,
    };
    if let Some(last) = last {
        let (end, counted) = match end {
            Some(end) => (end, None),
            None => {
                let total = total.await?;
                (total, Some(total))
            }
        };
        let offset = end.saturating_sub(last).max(start);
        Ok((offset, end.saturating_sub(offset), counted))
    } else {
        let size = first.unwrap_or(DEFAULT_PAGE_SIZE);
        Ok((
            start,
            end.map_or(size, |end| size.min(end.saturating_sub(start))),
            None,
        ))
    }
}

/// Numbers the rows of a page; `rows` holds at most one more than `limit`,
/// which tells whether another page follows.
fn assemble<T>(fingerprint: &str, offset: u64, limit: u64, mut rows: Vec<T>) -> Page<T> {
    let has_next_page = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let items = rows
        .into_iter()
        .zip(offset..)
        .map(|(row, position)| (encode_cursor(fingerprint, position), row))
        .collect();
    Page {
        items,
        has_next_page,
        has_previous_page: offset > 0,
        total: None,
    }
}

impl<T> Page<T> {
    fn counted(self, total: Option<u64>) -> Self {
        Self { total, ..self }
    }
}

/// The page that `args` ask for out of a list already in memory: a parent's
/// few children, loaded for many parents by one batched query.
///
/// # Errors
/// As [`fetch`].
pub async fn slice<T>(items: Vec<T>, fingerprint: &str, args: &PageArgs) -> Result<Page<T>> {
    let total = items.len() as u64;
    let (offset, limit, _) = window(fingerprint, args, async { Ok(total) }).await?;
    let rows = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit + 1).unwrap_or(usize::MAX))
        .collect();
    Ok(assemble(fingerprint, offset, limit, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_under_the_same_fingerprint() {
        let cursor = encode_cursor("abc123", 41);
        assert_eq!(decode_cursor(&cursor, "abc123", "after").ok(), Some(41));
    }

    #[test]
    fn cursor_from_another_filter_is_refused() {
        let cursor = encode_cursor("abc123", 41);
        let err = decode_cursor(&cursor, "def456", "after").err();
        assert!(matches!(err, Some(AppError::BadUserInput { .. })));
    }

    #[test]
    fn forged_cursor_is_refused() {
        for forged in [
            "",
            "not-base64!",
            "YWJj",
            &URL_SAFE_NO_PAD.encode("c1:abc123:-1"),
        ] {
            assert!(
                decode_cursor(forged, "abc123", "after").is_err(),
                "{forged}"
            );
        }
    }

    #[test]
    fn page_size_bounds() {
        assert!(page_size(Some(-1), "first").is_err());
        assert!(page_size(Some(501), "first").is_err());
        assert_eq!(page_size(Some(500), "first").ok(), Some(Some(500)));
        assert_eq!(page_size(None, "first").ok(), Some(None));
    }
}

/// Generated inputs: the cursor decoder never panics, answers only
/// `BAD_USER_INPUT`, and reads back every cursor it made.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::{decode_cursor, encode_cursor};
    use crate::error::code;

    proptest! {
        #[test]
        fn any_text_is_a_cursor_or_bad_user_input(text in ".{0,200}") {
            if let Err(err) = decode_cursor(&text, "abc123", "after") {
                prop_assert_eq!(err.code(), code::BAD_USER_INPUT);
            }
        }

        #[test]
        fn any_bytes_behind_base64_are_refused_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            use base64::Engine;
            let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
            if let Err(err) = decode_cursor(&cursor, "abc123", "after") {
                prop_assert_eq!(err.code(), code::BAD_USER_INPUT);
            }
        }

        #[test]
        fn every_cursor_reads_back(fingerprint in "[0-9a-f]{12}", offset in 0..=super::MAX_OFFSET) {
            let cursor = encode_cursor(&fingerprint, offset);
            prop_assert_eq!(decode_cursor(&cursor, &fingerprint, "after").ok(), Some(offset));
        }

        #[test]
        fn offsets_past_the_bound_are_refused(fingerprint in "[0-9a-f]{12}", offset in (super::MAX_OFFSET + 1)..) {
            let cursor = encode_cursor(&fingerprint, offset);
            let err = decode_cursor(&cursor, &fingerprint, "after").err().map(|e| e.code());
            prop_assert_eq!(err, Some(code::BAD_USER_INPUT));
        }
    }
}
