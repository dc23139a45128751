//! The `Subscription` root, merged from one object per domain. Every
//! subscription is woken by the data version (see
//! [`crate::data_version::DataVersion::watch`]), which moves on each write
//! of any replica, and then reads the change feed after the last event it
//! delivered: what it sends is what the feed holds, in its order, with its
//! privacy rules.

mod changes;
mod facility;

use async_graphql::MergedSubscription;

/// Every live read of the API, served over WebSocket on `/graphql`.
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(changes::ChangesSubscription, facility::FacilitySubscription);
