//! Creating facilities. Every derived column (slug, sort and search keys) is
//! computed here, so no caller can store a facility without them.

use std::collections::HashSet;

use entity::facility;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};

use crate::error::Result;
use crate::service::facility_csv::FacilityRecord;
use crate::service::{now, text};

/// Inserts one validated record under a fresh unique slug made from its name.
///
/// # Errors
/// Database errors.
pub async fn insert_record(
    db: &impl ConnectionTrait,
    record: &FacilityRecord,
    maintained_by_id: Option<i32>,
) -> Result<facility::Model> {
    let slug = unique_slug(db, &text::slugify(&record.name)).await?;
    let now = now();
    let model = facility::ActiveModel {
        slug: Set(slug),
        name: Set(record.name.clone()),
        country_code: Set(record.country_code.clone()),
        city: Set(record.city.clone()),
        latitude: Set(record.latitude),
        longitude: Set(record.longitude),
        facility_type: Set(record.facility_type),
        status: Set(record.status),
        capacity: Set(record.capacity),
        opened_year: Set(record.opened_year),
        operator: Set(record.operator.clone()),
        managed_by: Set(record.managed_by),
        population: Set(record.population),
        target_age: Set(record.target_age),
        regime: Set(record.regime),
        security_level: Set(record.security_level),
        social_enterprise: Set(record.social_enterprise),
        description: Set(None),
        website: Set(None),
        source_url: Set(record.source_url.clone()),
        maintained_by_id: Set(maintained_by_id),
        sort_name: Set(text::fold(&record.name)),
        search_text: Set(search_text(&record.name, record.city.as_deref(), None)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

/// What the `text` filter searches: name, city and every translation of the description.
#[must_use]
pub fn search_text(
    name: &str,
    city: Option<&str>,
    description: Option<&entity::value::LocalizedText>,
) -> String {
    let mut parts = vec![name];
    parts.extend(city);
    if let Some(description) = description {
        parts.extend(description.0.values().map(String::as_str));
    }
    text::fold_all(parts)
}

/// `base`, or `base-2`, `base-3`, … whichever is free first.
async fn unique_slug(db: &impl ConnectionTrait, base: &str) -> Result<String> {
    let base = if base.is_empty() { "facility" } else { base };
    let taken: HashSet<String> = facility::Entity::find()
        .select_only()
        .column(facility::Column::Slug)
        .filter(
            facility::Column::Slug
                .eq(base)
                .or(facility::Column::Slug.like(format!("{base}-%"))),
        )
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if !taken.contains(base) {
        return Ok(base.to_owned());
    }
    let free = (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken.contains(c));
    Ok(free.unwrap_or_else(|| base.to_owned()))
}
