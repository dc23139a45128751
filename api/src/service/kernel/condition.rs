//! SQL conditions that several lists share. Whatever a filter holds, each
//! adds one bounded term to one statement: repeated values are asked for
//! once, and a list of values is one `IN`, never a term per value.

use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, LikeExpr, SimpleExpr};
use sea_orm::{ColumnTrait, Condition};

use crate::error::{AppError, Result};
use crate::service::kernel::text;

/// Adds "every word of `words` appears in `column`" to `cond`.
///
/// # Errors
/// `BAD_USER_INPUT` when `words` is longer than [`text::MAX_TEXT_FILTER`].
pub fn text_condition(
    mut cond: Condition,
    column: impl IntoColumnRef + Copy,
    words: &str,
    field: &str,
) -> Result<Condition> {
    if words.chars().count() > text::MAX_TEXT_FILTER {
        return Err(AppError::bad_input(
            field,
            format!("`text` is limited to {} characters", text::MAX_TEXT_FILTER),
        ));
    }
    if let Some(c) = words.chars().find(|c| text::forbidden_in_name(*c)) {
        return Err(AppError::bad_input(
            field,
            format!(
                "`text` holds U+{:04X}, a control or invisible character",
                u32::from(c)
            ),
        ));
    }
    let folded = text::fold(words);
    let mut seen = Vec::new();
    for word in folded.split_whitespace() {
        if seen.contains(&word) {
            continue;
        }
        seen.push(word);
        let pattern = format!("%{}%", text::escape_like(word));
        cond = cond.add(Expr::col(column).like(LikeExpr::new(pattern).escape('\\')));
    }
    Ok(cond)
}

/// The values of a list without repeats, in their first order.
#[must_use]
pub fn distinct<T: PartialEq + Clone>(values: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(values.len());
    for value in values {
        if !out.contains(value) {
            out.push(value.clone());
        }
    }
    out
}

/// Adds `column IN (values)` to `cond`, each distinct value once; nothing
/// when `values` is empty (an empty list places no constraint).
#[must_use]
pub fn one_of<C, T>(cond: Condition, column: C, values: &[T]) -> Condition
where
    C: ColumnTrait,
    T: PartialEq + Clone + Into<sea_orm::Value>,
{
    if values.is_empty() {
        cond
    } else {
        cond.add(column.is_in(distinct(values)))
    }
}

/// `COUNT(column)`, for a `HAVING` that asks a group to hold every value.
#[must_use]
pub fn count_of(column: impl IntoColumnRef) -> SimpleExpr {
    Expr::col(column).count()
}
