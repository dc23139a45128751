//! SQL conditions that several lists share.

use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, LikeExpr};

use crate::error::{AppError, Result};
use crate::service::text;

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
    for word in text::fold(words).split_whitespace() {
        let pattern = format!("%{}%", text::escape_like(word));
        cond = cond.add(Expr::col(column).like(LikeExpr::new(pattern).escape('\\')));
    }
    Ok(cond)
}
