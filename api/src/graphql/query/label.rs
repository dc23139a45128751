//! `labels(lang:)`: what a page shows for each enumeration value, in one
//! language, read once and kept (the answer changes only with the API).

use async_graphql::Object;

use crate::graphql::types::label::{self, EnumLabel, Language};

/// The reads of labels.
#[derive(Default)]
pub struct LabelQuery;

#[Object]
impl LabelQuery {
    /// The label of every value of every enumeration a reader sees (facility
    /// types, statuses, managing bodies, populations, target groups, regimes,
    /// security levels, principles, ecosystem dimensions, session levels and
    /// topics, stakeholder kinds, guideline statuses, languages), in `lang`:
    /// `{ enum value label }`, enumeration by enumeration, each in the order
    /// of the schema.
    #[graphql(
        complexity = "crate::graphql::types::connection::list_cost(label::count(), child_complexity)"
    )]
    async fn labels(
        &self,
        #[graphql(desc = "The language of the labels.")] lang: Language,
    ) -> Vec<EnumLabel> {
        label::all(lang.into())
    }
}
