//! What the map draws: facilities with coordinates as a GeoJSON
//! FeatureCollection (RFC 7946), optionally inside a bounding box.

use entity::facility;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::facility::Filter;

/// A bounding box in degrees (WGS 84). `west > east` crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
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

/// One map point as it is serialised: typed structs write straight to JSON,
/// without building a tree of values first.
#[derive(Serialize)]
struct Feature<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    geometry: Point,
    properties: Properties<'a>,
}

#[derive(Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    /// RFC 7946: longitude first.
    coordinates: [f64; 2],
}

#[derive(Serialize)]
struct Properties<'a> {
    id: &'a str,
    name: String,
    slug: String,
    #[serde(rename = "type")]
    facility_type: String,
    status: String,
    capacity: Option<i32>,
    country: String,
    city: Option<String>,
}

#[derive(Serialize)]
struct Collection<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    features: Vec<Feature<'a>>,
}

/// The columns a map point needs, read by position (reading by name costs
/// more than the query itself on large maps).
type Row = (
    i32,
    String,
    String,
    String,
    Option<String>,
    f64,
    f64,
    String,
    String,
    Option<i32>,
);

/// Every facility matching `filter` (its box included) that has coordinates,
/// as a GeoJSON FeatureCollection, serialised, ordered by id so the output is stable.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter; database errors.
pub async fn feature_collection(
    db: &impl ConnectionTrait,
    filter: &Filter,
    encode_id: impl Fn(i32) -> String + Send + 'static,
) -> Result<Vec<u8>> {
    let select = facility::Entity::find()
        .filter(filter.condition()?)
        .filter(facility::Column::Latitude.is_not_null())
        .filter(facility::Column::Longitude.is_not_null());
    let rows: Vec<Row> = select
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
        .into_tuple()
        .all(db)
        .await?;
    // Encoding thousands of features is CPU work: off the async worker.
    tokio::task::spawn_blocking(move || encode(rows, &encode_id))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
}

fn encode(rows: Vec<Row>, encode_id: &impl Fn(i32) -> String) -> Result<Vec<u8>> {
    let ids: Vec<String> = rows.iter().map(|row| encode_id(row.0)).collect();
    let features = rows
        .into_iter()
        .zip(&ids)
        .map(
            |((_, slug, name, country, city, lat, lon, facility_type, status, capacity), id)| {
                Feature {
                    kind: "Feature",
                    id,
                    geometry: Point {
                        kind: "Point",
                        coordinates: [lon, lat],
                    },
                    properties: Properties {
                        id,
                        name,
                        slug,
                        facility_type: facility_type.to_ascii_uppercase(),
                        status: status.to_ascii_uppercase(),
                        capacity,
                        country,
                        city,
                    },
                }
            },
        )
        .collect();
    serde_json::to_vec(&Collection {
        kind: "FeatureCollection",
        features,
    })
    .map_err(|e| AppError::Internal(e.into()))
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

/// Generated inputs: any `bbox` text is a box or `BAD_USER_INPUT`, never a panic;
/// every box in range is read back.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::BBox;
    use crate::error::code;

    proptest! {
        #[test]
        fn any_text_is_a_box_or_bad_user_input(text in ".{0,80}") {
            if let Err(err) = BBox::parse(&text, "bbox") {
                prop_assert_eq!(err.code(), code::BAD_USER_INPUT);
            }
        }

        #[test]
        fn boxes_in_range_are_read(
            west in -180.0f64..=180.0, east in -180.0f64..=180.0,
            a in -90.0f64..=90.0, b in -90.0f64..=90.0,
        ) {
            let (south, north) = if a <= b { (a, b) } else { (b, a) };
            let parsed = BBox::parse(&format!("{west},{south},{east},{north}"), "bbox");
            prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        }
    }
}
