//! Relay connections: `PageInfo`, the macro that each node's file invokes
//! to declare its `<Type>Connection`, the macro that declares the paginated
//! fields answering with one, the helpers those fields call, and what lists
//! cost in the complexity limit. Every list is either a connection, costed
//! by the page asked for, or bounded by the API and costed by its bound: a
//! list that costs less than it can hold lets a short query nest into a
//! huge answer.
//!
//! Why not async-graphql's own `connection` types: they describe their
//! fields with fixed English texts ("A list of edges.", "A cursor for use in
//! pagination") and put `totalCount` after `pageInfo`, while the contract
//! partners build against says what a cursor is valid for and where a page
//! sits, in this order; using them would change the published schema. The
//! shape is the same Relay shape, and the cursors (`service::kernel::page`)
//! carry the fingerprint of the filter and order they came from.

use std::future::Future;
use std::sync::Arc;

use async_graphql::SimpleObject;
use async_graphql::dataloader::Loader;
use sea_orm::DbErr;

use crate::graphql::context;
use crate::graphql::loader::DbLoader;
use crate::service::kernel::page::{self, Listing, Page, PageArgs};

/// Where a page sits in the whole result.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether more items follow the last one of this page.
    pub has_next_page: bool,
    /// Whether items come before the first one of this page.
    pub has_previous_page: bool,
    /// Cursor of the first item of this page; pass it as `before` for the previous page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of this page; pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// A connection type, built from a page of its nodes: what lets one helper
/// answer every paginated field whatever its node.
pub trait Connection: Sized {
    /// The type of the items.
    type Node;

    /// The connection of `page`, of a list of `total_count` items in all.
    fn new(page: Page<Self::Node>, total_count: i32) -> Self;
}

/// Declares the `<Type>Connection` and `<Type>Edge` types of a node type;
/// invoked in the node's own file.
macro_rules! connection {
    ($node:ty, $connection:ident, $edge:ident) => {
        /// One item of a page with its cursor.
        #[derive(async_graphql::SimpleObject, Debug, Clone)]
        pub struct $edge {
            /// Opaque position of this item; valid with the same filter and order.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        /// A page of a list, with the size of the whole (filtered) list.
        #[derive(async_graphql::SimpleObject, Debug, Clone)]
        pub struct $connection {
            /// How many items match the filter, on all pages together.
            pub total_count: i32,
            /// The items of this page, with their cursors.
            pub edges: Vec<$edge>,
            /// The items of this page, without cursors.
            pub nodes: Vec<$node>,
            /// Where this page sits.
            pub page_info: $crate::graphql::types::connection::PageInfo,
        }

        impl $crate::graphql::types::connection::Connection for $connection {
            type Node = $node;

            fn new(page: $crate::service::kernel::page::Page<$node>, total_count: i32) -> Self {
                let page_info = $crate::graphql::types::connection::PageInfo::of(&page);
                let nodes = page.items.iter().map(|(_, node)| node.clone()).collect();
                let edges = page
                    .items
                    .into_iter()
                    .map(|(cursor, node)| $edge { cursor, node })
                    .collect();
                Self {
                    total_count,
                    edges,
                    nodes,
                    page_info,
                }
            }
        }
    };
}
pub(crate) use connection;

/// Declares an object of paginated fields, which the type that flattens it
/// (`#[graphql(flatten)]`) shows as its own: no type of its name is in the
/// schema. Each field is written as a method that takes, after its own
/// arguments, the page asked for as one, `args`:
///
/// ```ignore
/// paginated! {
///     pub(crate) struct FacilityLinks(Arc<facility::Model>);
///
///     /// Study visits to this facility, most recent first.
///     async fn visits(&self, ctx, args) -> VisitConnection {
///         linked(ctx, FacilityVisits(self.0.id), &fingerprint, &args).await
///     }
/// }
/// ```
///
/// and gets the four Relay arguments, described alike on every list, and
/// the cost of the page they ask for. An object that holds nothing
/// (`struct VisitList;`) serves a list of the Query root.
// A macro, not a generic type: async-graphql reads a field's name,
// description and arguments off its method, and those vary by field; a
// macro inside an `#[Object]` impl is not expanded before async-graphql
// reads it, so the macro writes the whole impl. Each object it declares is
// flattened by one type only: async-graphql copies a flattened object's
// fields when it registers the type that flattens it, and a second type met
// while the object registers would copy none (see `Node`).
macro_rules! paginated {
    (
        $(#[$holder_attr:meta])*
        $vis:vis struct $holder:ident $(($held:ty))?;
        $(
            $(#[doc = $doc:tt])*
            async fn $field:ident(
                &$this:tt,
                $ctx:ident,
                $(#[graphql(desc = $desc:tt)] $arg:ident: $arg_ty:ty,)*
                $args:ident $(,)?
            ) -> $connection:ty $body:block
        )+
    ) => {
        $(#[$holder_attr])*
        $vis struct $holder $(($held))?;

        #[async_graphql::Object]
        impl $holder {
            $(
                $(#[doc = $doc])*
                #[graphql(
                    complexity = "crate::graphql::types::connection::page_cost(first, last, 50, child_complexity)"
                )]
                async fn $field(
                    &$this,
                    $ctx: &async_graphql::Context<'_>,
                    $(#[graphql(desc = $desc)] $arg: $arg_ty,)*
                    #[graphql(
                        desc = "How many items from the start, or after `after` (default 50, at most 500)."
                    )]
                    first: Option<i32>,
                    #[graphql(desc = "Continue after this cursor (a `pageInfo.endCursor`).")]
                    after: Option<String>,
                    #[graphql(desc = "How many items from the end, or before `before` (at most 500).")]
                    last: Option<i32>,
                    #[graphql(desc = "Continue before this cursor (a `pageInfo.startCursor`).")]
                    before: Option<String>,
                ) -> async_graphql::Result<$connection> {
                    let $args =
                        $crate::graphql::types::connection::page_args(first, after, last, before);
                    $body
                }
            )+
        }
    };
}
pub(crate) use paginated;

impl PageInfo {
    pub(crate) fn of<T>(page: &Page<T>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.items.first().map(|(c, _)| c.clone()),
            end_cursor: page.items.last().map(|(c, _)| c.clone()),
        }
    }
}

/// The four Relay arguments, in the order every paginated field declares them.
#[must_use]
pub fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
        with_total: false,
    }
}

/// How many items `first` asks for of a list read forward from a cursor
/// alone (the change feed, a webhook's deliveries): the default page size
/// without it.
///
/// # Errors
/// `BAD_USER_INPUT` for `first` outside 1 to the largest page.
pub fn forward_limit(first: Option<i32>) -> crate::error::Result<u64> {
    match first {
        None => Ok(page::DEFAULT_PAGE_SIZE),
        Some(n) => u64::try_from(n)
            .ok()
            .filter(|n| (1..=page::MAX_PAGE_SIZE).contains(n))
            .ok_or_else(|| {
                crate::error::AppError::bad_input(
                    "first",
                    format!("`first` must be 1 to {}, got {n}", page::MAX_PAGE_SIZE),
                )
            }),
    }
}

/// Whether the caller selects the `totalCount` of the connection being resolved.
#[must_use]
pub fn wants_total(ctx: &async_graphql::Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// A page that the database reads, as a connection. `count` runs only when
/// the caller selects `totalCount` and the page was not counted with it
/// (see [`page::fetch`]), and after the page, whose errors about the
/// arguments come first.
///
/// # Errors
/// Those of `page`, then those of `count`.
pub async fn fetched<C, M>(
    ctx: &async_graphql::Context<'_>,
    page: impl Future<Output = crate::error::Result<Page<M>>>,
    count: impl Future<Output = crate::error::Result<u64>>,
) -> async_graphql::Result<C>
where
    C: Connection,
    C::Node: From<M>,
{
    let page = page.await?;
    let total = match page.total {
        Some(total) if wants_total(ctx) => i32::try_from(total).unwrap_or(i32::MAX),
        _ => total_count(ctx, count).await?,
    };
    Ok(C::new(page.map(C::Node::from), total))
}

/// The page of the list `filter` lets through that `args` ask for, as a
/// connection (see [`fetched`]).
///
/// # Errors
/// Those of [`page::list`], then those of [`page::count`].
pub async fn listed<C, F>(
    ctx: &async_graphql::Context<'_>,
    filter: &F,
    args: &PageArgs,
) -> async_graphql::Result<C>
where
    F: Listing,
    C: Connection,
    C::Node: From<<F::Entity as sea_orm::EntityTrait>::Model>,
{
    let db = crate::graphql::context::db(ctx);
    let args = args.clone().with_total(wants_total(ctx));
    fetched(ctx, page::list(db, filter, &args), page::count(db, filter)).await
}

/// The page `args` ask for of a record's links (`Facility.resources`, ...),
/// as a connection: the loader reads the links of every record of the
/// request that asks for the same kind of link in one query, and each
/// record takes its page out of its own list.
///
/// # Errors
/// Database errors; `BAD_USER_INPUT` for bad page arguments.
pub async fn linked<C, K, M>(
    ctx: &async_graphql::Context<'_>,
    key: K,
    fingerprint: &str,
    args: &PageArgs,
) -> async_graphql::Result<C>
where
    C: Connection,
    C::Node: From<M>,
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Value = Vec<M>, Error = Arc<DbErr>>,
{
    let items = context::load(ctx, key).await?.unwrap_or_default();
    sliced(items, fingerprint, args, C::Node::from).await
}

/// A page cut from a list loaded whole (a parent's children, which the
/// loader batched), as a connection: the list's length is the total.
///
/// # Errors
/// `BAD_USER_INPUT` for bad page arguments (see [`page::slice`]).
pub async fn sliced<C: Connection, M>(
    items: Vec<M>,
    fingerprint: &str,
    args: &PageArgs,
    node: impl FnMut(M) -> C::Node,
) -> async_graphql::Result<C> {
    let total = i32::try_from(items.len()).unwrap_or(i32::MAX);
    let page = page::slice(items, fingerprint, args).await?;
    Ok(C::new(page.map(node), total))
}

/// The filtered total of a connection, counted only when the caller selects
/// `totalCount`: counting is a query of its own.
///
/// # Errors
/// Whatever the count returns.
pub async fn total_count(
    ctx: &async_graphql::Context<'_>,
    count: impl std::future::Future<Output = crate::error::Result<u64>>,
) -> crate::error::Result<i32> {
    if wants_total(ctx) {
        Ok(i32::try_from(count.await?).unwrap_or(i32::MAX))
    } else {
        Ok(0)
    }
}

/// The complexity of a page: what one item costs, times the items asked for
/// (`first`, else `last`, else `default`), so that `first: 500` weighs 500 times more than `first: 1`.
#[must_use]
pub fn page_cost(
    first: Option<i32>,
    last: Option<i32>,
    default: i32,
    child_complexity: usize,
) -> usize {
    let items = first
        .or(last)
        .unwrap_or(default)
        .clamp(1, crate::service::kernel::page::MAX_PAGE_SIZE as i32);
    usize::try_from(items)
        .unwrap_or(1)
        .saturating_mul(child_complexity)
        .saturating_add(1)
        .min(COST_CEILING)
}

/// The highest cost one field reports. async-graphql adds the costs of
/// sibling fields with plain arithmetic, which overflows (a panic, or in a
/// release build a wrap to a small cost) past `usize::MAX`; a few thousand
/// fields of at most this much cannot get there, and it is far over any limit.
pub const COST_CEILING: usize = 1 << 40;

/// The complexity of a list the API bounds: its bound times what one item
/// costs (at least 1, so that a list of enums counts its items too).
#[must_use]
pub fn list_cost(bound: usize, child_complexity: usize) -> usize {
    bound
        .saturating_mul(child_complexity.max(1))
        .saturating_add(1)
        .min(COST_CEILING)
}

/// How many variants an enum of the data model has: the bound of a list that
/// holds each at most once (a facility's principles, one note per dimension).
#[must_use]
pub fn variants<E: sea_orm::Iterable>() -> usize {
    E::iter().count()
}
