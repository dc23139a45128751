//! The open-data endpoints: `GET /facilities.geojson` for map libraries and
//! `GET /facilities.csv` for spreadsheets, with the filters of the GraphQL
//! `FacilityFilter` as query parameters.

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{HttpRequest, HttpResponse, web};
use entity::value::{
    FacilityStatus, FacilityType, ManagedBy, Population, Principle, RefScheme, Regime, TargetAge,
};
use serde_json::json;

use super::AppState;
use super::cache;
use super::response_cache::{Answer, ResponseCache};
use crate::error::AppError;
use crate::service::facility::Filter;
use crate::service::facility::map::BBox;
use crate::service::{self, facility::csv as facility_csv};

/// Query parameters: repeated, or comma-separated, values accumulate.
type Params = web::Query<Vec<(String, String)>>;

/// The export's bytes and ETag: from the response cache while the data is
/// unchanged, else made now.
async fn export<F>(
    req: &HttpRequest,
    state: &AppState,
    kind: &str,
    make: F,
) -> Result<Answer, AppError>
where
    F: std::future::Future<Output = Result<Vec<u8>, AppError>>,
{
    match &state.response_cache {
        Some(store) => {
            let key = ResponseCache::key(&[kind.as_bytes(), req.query_string().as_bytes()]);
            store.get_or_compute(req, key, make).await
        }
        None => Ok(Answer::uncached(make.await?.into())),
    }
}

/// Runs an export's reads and encoding on the executor's threads: decoding
/// tens of thousands of rows is CPU work between awaits, which on the HTTP
/// worker would hold its other connections, those served a kept answer
/// meanwhile included.
async fn off_the_worker<F>(state: &AppState, work: F) -> Result<Vec<u8>, AppError>
where
    F: std::future::Future<Output = Result<Vec<u8>, AppError>> + Send + 'static,
{
    state
        .executor
        .run(work)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
}

pub async fn geojson(req: HttpRequest, params: Params, state: web::Data<AppState>) -> HttpResponse {
    let result = export(&req, &state, "geojson", async {
        let filter = read_params(&params, state.limits.list_items)?;
        let db = state.db.clone();
        off_the_worker(&state, async move {
            service::facility::map::feature_collection(&db, &filter).await
        })
        .await
    })
    .await;
    match result {
        Ok(answer) => cache::public_answer(&req, "application/geo+json", &answer).await,
        Err(err) => error_response(&err),
    }
}

pub async fn csv(req: HttpRequest, params: Params, state: web::Data<AppState>) -> HttpResponse {
    let result = export(&req, &state, "csv", async {
        let filter = read_params(&params, state.limits.list_items)?;
        let db = state.db.clone();
        off_the_worker(&state, async move {
            let models = service::facility::select(&filter, &[])?.all(&db).await?;
            let facilities = service::facility::map::exchange_fields(&db, &models).await?;
            // Encoding thousands of rows is CPU work: off the executor's thread too.
            tokio::task::spawn_blocking(move || facility_csv::write(&facilities))
                .await
                .map_err(|e| AppError::Internal(e.into()))?
                .map_err(|e| AppError::Internal(e.into()))
        })
        .await
    })
    .await;
    match result {
        Ok(answer) => {
            let mut response = cache::public_answer(&req, "text/csv; charset=utf-8", &answer).await;
            response.headers_mut().insert(
                CONTENT_DISPOSITION,
                actix_web::http::header::HeaderValue::from_static(
                    "attachment; filename=\"wish-facilities.csv\"",
                ),
            );
            response
        }
        Err(err) => error_response(&err),
    }
}

/// One JSON shape for every error outside GraphQL: `{code, message, field}`.
fn error_response(err: &AppError) -> HttpResponse {
    let status = match err {
        AppError::BadUserInput { .. } | AppError::Invalid(_) => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    err.log_if_internal();
    let field = match err {
        AppError::BadUserInput { field, .. } => field.clone(),
        AppError::Invalid(problems) => problems.first().map(|p| p.field.clone()),
        _ => None,
    };
    HttpResponse::build(status)
        .json(json!({ "code": err.code(), "message": err.public_message(), "field": field }))
}

/// The values of a list parameter, at most `max` of them.
fn values<'a>(
    params: &'a [(String, String)],
    names: &[&str],
    max: usize,
) -> Result<Vec<&'a str>, AppError> {
    let values: Vec<&str> = params
        .iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .take(max + 1)
        .collect();
    if values.len() > max {
        return Err(AppError::bad_input(
            names[0],
            format!(
                "`{}` lists more than {max} values (WISH_MAX_LIST_ITEMS)",
                names[0]
            ),
        ));
    }
    Ok(values)
}

fn single<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
}

fn enums<T>(
    params: &[(String, String)],
    names: &[&str],
    max: usize,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> Vec<String>,
) -> Result<Vec<T>, AppError> {
    values(params, names, max)?
        .into_iter()
        .map(|v| {
            parse(&v.to_ascii_lowercase()).ok_or_else(|| {
                let allowed: Vec<String> =
                    allowed().iter().map(|a| a.to_ascii_uppercase()).collect();
                AppError::bad_input(
                    names[0],
                    format!("`{v}` is not one of: {}", allowed.join(", ")),
                )
            })
        })
        .collect()
}

fn integer(params: &[(String, String)], name: &str) -> Result<Option<i32>, AppError> {
    single(params, name)
        .map(|v| {
            v.parse::<i32>()
                .map_err(|_| AppError::bad_input(name, format!("`{v}` is not a whole number")))
        })
        .transpose()
}

const KNOWN: &[&str] = &[
    "bbox",
    "country",
    "countryCode",
    "type",
    "facilityType",
    "status",
    "managedBy",
    "targetGender",
    "targetAge",
    "regime",
    "principles",
    "population",
    "socialEnterprise",
    "capacityMin",
    "capacityMax",
    "openedFrom",
    "openedTo",
    "text",
    "withExternalRef",
    "withoutExternalRef",
];

fn read_params(params: &[(String, String)], max: usize) -> Result<Filter, AppError> {
    if let Some((unknown, _)) = params.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
        return Err(AppError::bad_input(
            unknown.as_str(),
            format!(
                "unknown parameter `{unknown}`; the filters are: {}",
                KNOWN.join(", ")
            ),
        ));
    }
    let gender = |v: &str| match v {
        "men" => Some(Population::Men),
        "women" => Some(Population::Women),
        "mixed" => Some(Population::Mixed),
        _ => None,
    };
    let social_enterprise = match single(params, "socialEnterprise") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(AppError::bad_input(
                "socialEnterprise",
                format!("`{other}` is not true or false"),
            ));
        }
    };
    let filter = Filter {
        country_code: values(params, &["country", "countryCode"], max)?
            .into_iter()
            .map(str::to_owned)
            .collect(),
        facility_type: enums(
            params,
            &["type", "facilityType"],
            max,
            FacilityType::parse,
            FacilityType::all_values,
        )?,
        status: enums(
            params,
            &["status"],
            max,
            FacilityStatus::parse,
            FacilityStatus::all_values,
        )?,
        managed_by: enums(
            params,
            &["managedBy"],
            max,
            ManagedBy::parse,
            ManagedBy::all_values,
        )?,
        target_gender: enums(params, &["targetGender"], max, gender, || {
            vec!["men".into(), "women".into(), "mixed".into()]
        })?,
        population: enums(
            params,
            &["population"],
            max,
            Population::parse,
            Population::all_values,
        )?,
        target_age: enums(
            params,
            &["targetAge"],
            max,
            TargetAge::parse,
            TargetAge::all_values,
        )?,
        regime: enums(params, &["regime"], max, Regime::parse, Regime::all_values)?,
        principles: enums(
            params,
            &["principles"],
            max,
            Principle::parse,
            Principle::all_values,
        )?,
        social_enterprise,
        capacity_min: integer(params, "capacityMin")?,
        capacity_max: integer(params, "capacityMax")?,
        opened_from: integer(params, "openedFrom")?,
        opened_to: integer(params, "openedTo")?,
        text: single(params, "text").map(str::to_owned),
        bbox: single(params, "bbox")
            .map(|b| BBox::parse(b, "bbox"))
            .transpose()?,
        with_external_ref: enums(
            params,
            &["withExternalRef"],
            max,
            RefScheme::parse,
            RefScheme::all_values,
        )?,
        without_external_ref: enums(
            params,
            &["withoutExternalRef"],
            max,
            RefScheme::parse,
            RefScheme::all_values,
        )?,
    };
    // Checks every value now, so that a bad one is a 400 with its field named.
    filter.condition().map_err(|err| match err {
        AppError::BadUserInput { field, message } => AppError::BadUserInput {
            field: field.map(|f| f.trim_start_matches("filter.").to_owned()),
            message,
        },
        other => other,
    })?;
    Ok(filter)
}

/// `GET /guidelines/{key}/{number}/consultation.csv`: the consultation on
/// one version as CSV, one row per comment with its answer, as the caller
/// may see it (the same rules as `consultationReport`). An anonymous answer
/// is public and cacheable; with a token, it is the caller's own.
pub async fn consultation_csv(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    caller: crate::auth::Caller,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (key, number) = path.into_inner();
    let reader = service::consultation::Reader::of_caller(&caller);
    let made = consultation_report_csv(&state, &key, &number, &caller, &reader).await;
    let body = match made {
        Ok(body) => body,
        Err(err) => return error_response(&err),
    };
    let file = format!("attachment; filename=\"wish-{key}-{number}-consultation.csv\"");
    let mut response = if caller.role.is_none() {
        let answer = Answer::uncached(body.into());
        cache::public_answer(&req, "text/csv; charset=utf-8", &answer).await
    } else {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
            .body(body)
    };
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&file) {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// The bytes of `consultation_csv`.
async fn consultation_report_csv(
    state: &AppState,
    key: &str,
    number: &str,
    caller: &crate::auth::Caller,
    reader: &service::consultation::Reader,
) -> Result<Vec<u8>, AppError> {
    let missing = || AppError::not_found("no version of this guideline has this number");
    let guideline = service::guideline::find_by_key(&state.db, key)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                "no guideline has this key (there are `ecosystem-rules` and `relational-security`)",
            )
        })?;
    let number: i32 = number.parse().map_err(|_| missing())?;
    let drafts = service::guideline::Drafts::for_editor(caller.is_editor());
    let version = service::guideline::version_by_number(&state.db, guideline.id, number)
        .await?
        .filter(|v| drafts.admit(v.status))
        .ok_or_else(missing)?;
    let report = service::consultation::report(&state.db, &version, reader).await?;
    service::consultation::csv::write(&report, reader).map_err(|e| AppError::Internal(e.into()))
}
