//! The GraphQL type of what the API reads (a row, or what the service
//! assembles from rows): a handle on it that clones cheaply, since the
//! loader and the connections hand one record to several fields.

/// Declares `$ty`, the type of the records `$model`, made from a record.
macro_rules! record {
    ($(#[doc = $doc:tt])* $ty:ident($model:ty)) => {
        $(#[doc = $doc])*
        #[derive(Clone, Debug)]
        pub struct $ty(pub std::sync::Arc<$model>);

        impl From<$model> for $ty {
            fn from(model: $model) -> Self {
                Self(std::sync::Arc::new(model))
            }
        }
    };
}
pub(crate) use record;
