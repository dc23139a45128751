//! What the map draws: facilities with coordinates as a GeoJSON
//! FeatureCollection (RFC 7946), optionally inside a bounding box.

use entity::facility;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::error::{AppError, Result};
use crate::service::facility::Filter;
use crate::service::facility::csv;
use crate::service::facility::write::{FacilityFields, fields_of_many};
use crate::service::kernel::global_id::{self, Kind};

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
struct Feature {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    geometry: Point,
    properties: Properties,
}

#[derive(Serialize)]
struct Point {
    #[serde(rename = "type")]
    kind: &'static str,
    /// RFC 7946: longitude first.
    coordinates: [f64; 2],
}

/// A facility's properties: its global `id`, then every column of the CSV
/// format under the column's name (coordinates are the geometry's, and the
/// references one `external_refs` array), so that either file imports as
/// the other does.
struct Properties {
    id: String,
    cells: Vec<(&'static str, serde_json::Value)>,
    external_refs: Vec<serde_json::Value>,
}

impl Serialize for Properties {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.cells.len() + 2))?;
        map.serialize_entry("id", &self.id)?;
        for (name, value) in &self.cells {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry("external_refs", &self.external_refs)?;
        map.end()
    }
}

#[derive(Serialize)]
struct Collection {
    #[serde(rename = "type")]
    kind: &'static str,
    features: Vec<Feature>,
}

/// Every facility matching `filter` (its box included) that has coordinates,
/// as a GeoJSON FeatureCollection, serialised, ordered by id so the output is stable.
///
/// # Errors
/// `BAD_USER_INPUT` for a bad filter; database errors.
pub async fn feature_collection(db: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<u8>> {
    let select = facility::Entity::find()
        .filter(filter.condition()?)
        .filter(facility::Column::Latitude.is_not_null())
        .filter(facility::Column::Longitude.is_not_null());
    let models = select.order_by_asc(facility::Column::Id).all(db).await?;
    let facilities = exchange_fields(db, &models).await?;
    // Encoding thousands of features is CPU work: off the async worker.
    tokio::task::spawn_blocking(move || encode(facilities))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
}

/// What the exchange formats carry of facilities (their columns, references
/// and principles), in the order of `models`; one query per child table.
///
/// # Errors
/// Database errors.
pub async fn exchange_fields(
    db: &impl ConnectionTrait,
    models: &[facility::Model],
) -> Result<Vec<FacilityFields>> {
    let models: Vec<&facility::Model> = models.iter().collect();
    fields_of_many(db, &models).await
}

fn encode(facilities: Vec<FacilityFields>) -> Result<Vec<u8>> {
    let features = facilities
        .into_iter()
        .filter_map(|fields| {
            let (Some(lat), Some(lon)) = (fields.latitude, fields.longitude) else {
                return None;
            };
            let id = fields
                .uuid
                .map(|uuid| global_id::encode(Kind::Facility, uuid).0)
                .unwrap_or_default();
            Some(Feature {
                kind: "Feature",
                id: id.clone(),
                geometry: Point {
                    kind: "Point",
                    coordinates: [lon, lat],
                },
                properties: Properties {
                    id,
                    cells: csv::properties(&fields),
                    external_refs: fields
                        .external_refs
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "scheme": r.scheme.as_str(),
                                "value": r.value,
                                "url": r.url,
                            })
                        })
                        .collect(),
                },
            })
        })
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
