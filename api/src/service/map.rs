//! What the map draws: facilities with coordinates as a GeoJSON
//! FeatureCollection (RFC 7946), optionally inside a bounding box.

use entity::facility;
use entity::value::{FacilityStatus, FacilityType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};

use crate::error::{AppError, Result};
use crate::service::facility::Filter;

/// A bounding box in degrees (WGS 84). `west > east` crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    /// Checks the ranges; `field` names the argument in errors.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` for a latitude outside ±90, a longitude outside ±180,
    /// or south above north.
    pub fn validate(self, field: &str) -> Result<Self> {
        let all = [self.west, self.south, self.east, self.north];
        if all.iter().any(|v| !v.is_finite()) {
            return Err(AppError::bad_input(field, "bbox values must be numbers"));
        }
        for (name, value, bound) in [
            ("west", self.west, 180.0),
            ("east", self.east, 180.0),
            ("south", self.south, 90.0),
            ("north", self.north, 90.0),
        ] {
            if !(-bound..=bound).contains(&value) {
                return Err(AppError::bad_input(
                    field,
                    format!("bbox {name} is {value}, outside -{bound} to {bound}"),
                ));
            }
        }
        if self.south > self.north {
            return Err(AppError::bad_input(
                field,
                format!(
                    "bbox south ({}) is above north ({})",
                    self.south, self.north
                ),
            ));
        }
        Ok(self)
    }

    /// Reads `west,south,east,north`.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` when the text is not four numbers in range.
    pub fn parse(text: &str, field: &str) -> Result<Self> {
        let parts: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| {
                AppError::bad_input(field, "bbox is four numbers: west,south,east,north")
            })?;
        let [west, south, east, north] = parts[..] else {
            return Err(AppError::bad_input(
                field,
                "bbox is four numbers: west,south,east,north",
            ));
        };
        Self {
            west,
            south,
            east,
            north,
        }
        .validate(field)
    }
}

/// The columns a map point needs, read without the rest of the row.
#[derive(Debug, FromQueryResult)]
struct MapPoint {
    id: i32,
    slug: String,
    name: String,
    country_code: String,
    city: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    facility_type: FacilityType,
    status: FacilityStatus,
    capacity: Option<i32>,
}

/// GeoJSON names of the enum values, as the GraphQL API spells them.
fn graphql_name(value: &str) -> String {
    value.to_ascii_uppercase()
}

/// Every facility matching `filter` (and inside `bbox`) that has coordinates,
/// as a FeatureCollection, ordered by id so the output is stable.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter; database errors.
pub async fn feature_collection(
    db: &impl ConnectionTrait,
    filter: &Filter,
    bbox: Option<BBox>,
    encode_id: impl Fn(i32) -> String,
) -> Result<Value> {
    let mut select = facility::Entity::find()
        .filter(filter.condition()?)
        .filter(facility::Column::Latitude.is_not_null())
        .filter(facility::Column::Longitude.is_not_null());
    if let Some(b) = bbox {
        select = select.filter(facility::Column::Latitude.between(b.south, b.north));
        select = if b.west <= b.east {
            select.filter(facility::Column::Longitude.between(b.west, b.east))
        } else {
            select.filter(
                sea_orm::Condition::any()
                    .add(facility::Column::Longitude.gte(b.west))
                    .add(facility::Column::Longitude.lte(b.east)),
            )
        };
    }
    let points = select
        .select_only()
        .columns([
            facility::Column::Id,
            facility::Column::Slug,
            facility::Column::Name,
            facility::Column::CountryCode,
            facility::Column::City,
            facility::Column::Latitude,
            facility::Column::Longitude,
            facility::Column::FacilityType,
            facility::Column::Status,
            facility::Column::Capacity,
        ])
        .order_by_asc(facility::Column::Id)
        .into_model::<MapPoint>()
        .all(db)
        .await?;
    let features: Vec<Value> = points
        .into_iter()
        .filter_map(|p| {
            let (lat, lon) = (p.latitude?, p.longitude?);
            let id = encode_id(p.id);
            Some(json!({
                "type": "Feature",
                "id": id,
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": {
                    "id": id,
                    "name": p.name,
                    "slug": p.slug,
                    "type": graphql_name(&p.facility_type.as_str()),
                    "status": graphql_name(&p.status.as_str()),
                    "capacity": p.capacity,
                    "country": p.country_code,
                    "city": p.city,
                }
            }))
        })
        .collect();
    Ok(json!({ "type": "FeatureCollection", "features": features }))
}

#[cfg(test)]
mod tests {
    use super::BBox;

    #[test]
    fn bbox_parses_four_numbers_in_range() {
        let b = BBox::parse("2.5, 49.4,6.4,51.6", "bbox").expect("valid");
        assert_eq!((b.west, b.south, b.east, b.north), (2.5, 49.4, 6.4, 51.6));
    }

    #[test]
    fn bbox_refuses_out_of_range_and_inverted() {
        for bad in [
            "1,2,3",
            "a,b,c,d",
            "0,91,1,92",
            "-181,0,0,1",
            "0,10,1,5",
            "0,0,1,1,1",
            "NaN,0,1,1",
        ] {
            assert!(BBox::parse(bad, "bbox").is_err(), "{bad}");
        }
    }

    #[test]
    fn bbox_may_cross_the_antimeridian() {
        assert!(BBox::parse("170,-10,-170,10", "bbox").is_ok());
    }
}
