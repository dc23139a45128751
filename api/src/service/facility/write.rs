//! Facilities as a [`Record`]: the hooks the write steps of the kernel run
//! for them. A facility's row, with its derived sort and search keys, is made
//! by [`Facility::row`] and nowhere else: imports and the demo data store
//! their rows through it too.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use entity::facility_principle::Column as PrincipleLink;
use entity::value::{
    EcosystemDimension, FacilityStatus, FacilityType, LocalizedText, LocationPrecision, ManagedBy,
    Population, Principle, RefScheme, Regime, SecurityLevel, Source, Sources, TargetAge,
};
use entity::{
    facility, facility_ecosystem_note, facility_external_ref, facility_principle, organisation,
    visit,
};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveValue::{self, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, Result};
use crate::service::kernel::link::Link;
use crate::service::kernel::record::{Record, Stamp};
use crate::service::kernel::text;
use crate::service::kernel::unit_of_work::{self as unit_of_work, Actor, Write};
use crate::service::kernel::validate::{self, Problems};

/// Every editable field of a facility, as it is to be stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityFields {
    /// The identity it has in every installation; `None` for a new facility,
    /// which gets a new one. Never changed once stored.
    pub uuid: Option<Uuid>,
    /// `None`: made from the name.
    pub slug: Option<String>,
    pub name: String,
    pub country_code: String,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub location_precision: Option<LocationPrecision>,
    pub facility_type: FacilityType,
    pub status: FacilityStatus,
    pub capacity: Option<i32>,
    pub opened_year: Option<i32>,
    pub operator: Option<String>,
    pub managed_by: Option<ManagedBy>,
    pub population: Option<Population>,
    pub target_age: Option<TargetAge>,
    pub regime: Option<Regime>,
    pub security_level: Option<SecurityLevel>,
    pub social_enterprise: Option<bool>,
    pub description: Option<LocalizedText>,
    pub website: Option<String>,
    pub sources: Vec<Source>,
    pub verified_on: Option<chrono::NaiveDate>,
    /// Slug of the partner organisation that maintains it.
    pub maintained_by: Option<String>,
    pub principles: Vec<Principle>,
    pub ecosystem: Vec<(EcosystemDimension, String)>,
    /// What other registers call it: one per scheme, in scheme order.
    pub external_refs: Vec<ExternalRef>,
}

/// What another register calls a facility: the key it has there, and the
/// page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalRef {
    pub scheme: RefScheme,
    pub value: String,
    pub url: String,
}

/// The children a stored facility has in other tables, beside its row.
#[derive(Debug, Clone, Default)]
pub struct FacilityChildren {
    pub maintained_by: Option<String>,
    pub principles: Vec<Principle>,
    pub ecosystem: Vec<(EcosystemDimension, String)>,
    pub external_refs: Vec<ExternalRef>,
}

impl FacilityFields {
    /// The fields of a stored facility.
    #[must_use]
    pub fn of(model: &facility::Model, children: FacilityChildren) -> Self {
        let FacilityChildren {
            maintained_by,
            principles,
            ecosystem,
            external_refs,
        } = children;
        Self {
            uuid: Some(model.uuid),
            slug: Some(model.slug.clone()),
            name: model.name.clone(),
            country_code: model.country_code.clone(),
            city: model.city.clone(),
            latitude: model.latitude,
            longitude: model.longitude,
            location_precision: model.location_precision,
            facility_type: model.facility_type,
            status: model.status,
            capacity: model.capacity,
            opened_year: model.opened_year,
            operator: model.operator.clone(),
            managed_by: model.managed_by,
            population: model.population,
            target_age: model.target_age,
            regime: model.regime,
            security_level: model.security_level,
            social_enterprise: model.social_enterprise,
            description: model.description.clone(),
            website: model.website.clone(),
            sources: model.sources.0.clone(),
            verified_on: model.verified_on,
            maintained_by,
            principles,
            ecosystem,
            external_refs,
        }
    }

    /// Trims text and upper-cases the country, so equal input stores equally.
    pub fn normalise(&mut self) {
        fn tidy(value: &mut Option<String>) {
            if let Some(v) = value {
                let trimmed = v.trim();
                if trimmed.is_empty() {
                    *value = None;
                } else if trimmed.len() != v.len() {
                    *value = Some(trimmed.to_owned());
                }
            }
        }
        self.name = self.name.trim().to_owned();
        self.country_code = self.country_code.trim().to_ascii_uppercase();
        for value in [
            &mut self.slug,
            &mut self.city,
            &mut self.operator,
            &mut self.website,
            &mut self.maintained_by,
        ] {
            tidy(value);
        }
        for source in &mut self.sources {
            source.url = source.url.trim().to_owned();
            tidy(&mut source.title);
            tidy(&mut source.publisher);
            source.supports.sort();
            source.supports.dedup();
        }
        self.principles.sort();
        self.principles.dedup();
        for r in &mut self.external_refs {
            r.value = r.value.trim().to_owned();
            r.url = r.url.trim().to_owned();
        }
        // Stable, so that a scheme given twice stays twice for `problems` to name.
        self.external_refs.sort_by_key(|r| r.scheme);
    }

    /// Every problem of the fields on their own, each named `prefix` and
    /// the field's API name (`countryCode`); uniqueness and what they refer
    /// to are for the caller to check against the database.
    #[must_use]
    pub fn problems(&self, prefix: &str) -> Problems {
        let mut problems = Problems::new();
        let field = |name: &str| format!("{prefix}{name}");
        if let Some(slug) = &self.slug {
            problems.check(&field("slug"), validate::slug(slug));
        }
        problems.check(&field("name"), validate::name(&self.name));
        problems.check(
            &field("countryCode"),
            validate::country_code(&self.country_code).map(drop),
        );
        for (name, value) in [("city", &self.city), ("operator", &self.operator)] {
            if let Some(v) = value {
                problems.check(&field(name), validate::name(v));
            }
        }
        validate::coordinates(&mut problems, prefix, self.latitude, self.longitude);
        if let Some(c) = self.capacity {
            problems.check(&field("capacity"), validate::capacity(c));
        }
        if let Some(y) = self.opened_year {
            problems.check(
                &field("openedYear"),
                validate::year(y, validate::current_year()),
            );
        }
        if let Some(url) = &self.website {
            problems.check(&field("website"), validate::web_url(url));
        }
        if let Some(day) = self.verified_on {
            problems.check(&field("verifiedOn"), validate::past_date(day));
        }
        if self.sources.len() > MAX_SOURCES {
            problems.add(
                field("sources"),
                format!("at most {MAX_SOURCES} sources per facility"),
            );
        }
        let mut urls = HashSet::new();
        for (i, source) in self.sources.iter().enumerate() {
            let at = field(&format!("sources[{i}]"));
            validate::source(&mut problems, &at, source);
            if !urls.insert(source.url.as_str()) {
                problems.add(
                    format!("{at}.url"),
                    "each source appears once: this URL appears twice",
                );
            }
        }
        validate::localized_prose(
            &mut problems,
            &field("description"),
            self.description.as_ref(),
        );
        let mut schemes = HashSet::new();
        for (i, r) in self.external_refs.iter().enumerate() {
            if !schemes.insert(r.scheme) {
                problems.add(
                    field(&format!("externalRefs[{i}].scheme")),
                    "a facility has one reference per scheme: this scheme appears twice",
                );
            }
            problems.check(
                &field(&format!("externalRefs[{i}].value")),
                validate::name(&r.value),
            );
            problems.check(
                &field(&format!("externalRefs[{i}].url")),
                validate::web_url(&r.url),
            );
        }
        let mut seen = HashSet::new();
        for (i, (dimension, note)) in self.ecosystem.iter().enumerate() {
            if !seen.insert(*dimension) {
                problems.add(
                    field(&format!("ecosystem[{i}].dimension")),
                    "each dimension has one note: this one appears twice",
                );
            }
            problems.check(
                &field(&format!("ecosystem[{i}].note")),
                validate::prose(note, validate::MAX_PROSE),
            );
        }
        problems
    }
}

/// Makes `first` the first of `sources`, keeping what is known of it (when
/// its URL is there already) and every other source.
pub fn lead_with(sources: &mut Vec<Source>, first: Source) {
    let known = sources
        .iter()
        .position(|s| s.url == first.url)
        .map(|i| sources.remove(i));
    sources.insert(0, known.unwrap_or(first));
}

/// Sources a facility may list: enough for one per fact, few enough to read.
pub const MAX_SOURCES: usize = 20;

/// The organisation that maintains a facility, as checking its fields
/// resolved it: `None` for a facility no partner maintains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Maintainer(pub Option<i32>);

/// A facility, as the write steps see it.
pub struct Facility;

/// The lists of a facility that link tables hold.
const PRINCIPLES: Link<PrincipleLink> = Link(PrincipleLink::FacilityId, PrincipleLink::Principle);

#[async_trait]
impl Record for Facility {
    type Entity = facility::Entity;
    type Fields = FacilityFields;
    type Resolved = Maintainer;

    fn describe(model: &facility::Model) -> String {
        format!("facility `{}`", model.slug)
    }

    fn may_create(actor: &Actor) -> Result<()> {
        actor.require_unreviewed()
    }

    async fn may_change(write: &Write, current: &facility::Model) -> Result<()> {
        write.actor.require_unreviewed()?;
        write
            .actor
            .require_maintainer(current.maintained_by_id, &Self::describe(current))
    }

    async fn fields_of(
        db: &impl ConnectionTrait,
        model: &facility::Model,
    ) -> Result<FacilityFields> {
        Ok(Children::load(db, &[model]).await?.fields(model))
    }

    /// Besides the field rules: the maintainer (a partner's facilities are
    /// its own) and a slug no other facility has, made from the name when
    /// none is given.
    async fn check(
        write: &Write,
        fields: &mut FacilityFields,
        current: Option<&facility::Model>,
    ) -> Result<Maintainer> {
        fields.normalise();
        // A partner's new facility is its own organisation's unless it names one.
        if current.is_none() && !write.actor.writes_all_content() && fields.maintained_by.is_none()
        {
            fields.maintained_by = write.actor.organisation.as_ref().map(|o| o.slug.clone());
        }
        let maintainer = maintainer_for(write, fields).await?;
        let mut problems = fields.problems("input.");
        let slug = match fields.slug.clone() {
            Some(slug) => {
                if problems.is_empty()
                    && slug_taken(write.txn(), &slug, current.map(|c| c.id)).await?
                {
                    problems.add(
                        "input.slug",
                        format!("`{slug}` is taken by another facility"),
                    );
                }
                slug
            }
            None => unique_slug(write.txn(), &text::slugify(&fields.name)).await?,
        };
        problems.finish()?;
        refs_free(write.txn(), &fields.external_refs, current.map(|c| c.id)).await?;
        fields.slug = Some(slug);
        Ok(Maintainer(maintainer.map(|o| o.id)))
    }

    fn row(
        fields: &FacilityFields,
        maintainer: &Maintainer,
        stamp: Stamp,
    ) -> facility::ActiveModel {
        facility::ActiveModel {
            // Settled before any row is made: by `check`, or by an import's
            // matching. Left unset, an insert fails rather than store no slug.
            slug: fields.slug.clone().map_or(ActiveValue::NotSet, Set),
            name: Set(fields.name.clone()),
            country_code: Set(fields.country_code.clone()),
            city: Set(fields.city.clone()),
            latitude: Set(fields.latitude),
            longitude: Set(fields.longitude),
            location_precision: Set(fields.location_precision),
            facility_type: Set(fields.facility_type),
            status: Set(fields.status),
            capacity: Set(fields.capacity),
            opened_year: Set(fields.opened_year),
            operator: Set(fields.operator.clone()),
            managed_by: Set(fields.managed_by),
            population: Set(fields.population),
            target_age: Set(fields.target_age),
            regime: Set(fields.regime),
            security_level: Set(fields.security_level),
            social_enterprise: Set(fields.social_enterprise),
            description: Set(fields.description.clone()),
            website: Set(fields.website.clone()),
            sources: Set(Sources(fields.sources.clone())),
            verified_on: Set(fields.verified_on),
            maintained_by_id: Set(maintainer.0),
            sort_name: Set(text::fold(&fields.name)),
            search_text: Set(search_text(fields)),
            ..stamp.into()
        }
    }

    async fn save_children(
        db: &impl ConnectionTrait,
        id: i32,
        fields: &FacilityFields,
        before: Option<&FacilityFields>,
    ) -> Result<()> {
        PRINCIPLES
            .save(db, id, fields, before, |f| &f.principles)
            .await?;
        unit_of_work::replace_children(
            db,
            facility_ecosystem_note::Column::FacilityId,
            id,
            &fields.ecosystem,
            before.map(|b| b.ecosystem.as_slice()),
            |(dimension, note)| facility_ecosystem_note::ActiveModel {
                facility_id: Set(id),
                dimension: Set(*dimension),
                note: Set(note.trim().to_owned()),
            },
        )
        .await?;
        unit_of_work::replace_children(
            db,
            facility_external_ref::Column::FacilityId,
            id,
            &fields.external_refs,
            before.map(|b| b.external_refs.as_slice()),
            |r| ref_row(id, r),
        )
        .await
    }

    /// A visit keeps its facility.
    async fn before_delete(write: &Write, current: &facility::Model) -> Result<()> {
        let visits = visit::Entity::find()
            .filter(visit::Column::FacilityId.eq(current.id))
            .count(write.txn())
            .await?;
        if visits > 0 {
            return Err(AppError::Conflict(format!(
                "{} has {visits} visit(s); delete them first, so that no visit loses its facility",
                Self::describe(current)
            )));
        }
        Ok(())
    }
}

/// What the `text` filter searches: name, city and every translation of the description.
fn search_text(fields: &FacilityFields) -> String {
    let mut parts = vec![fields.name.as_str()];
    parts.extend(fields.city.as_deref());
    if let Some(description) = &fields.description {
        parts.extend(description.0.values().map(String::as_str));
    }
    text::fold_all(parts)
}

/// The current fields of stored facilities, children included, in the
/// order of `models`: a few queries, however many facilities.
///
/// # Errors
/// Database errors.
pub async fn fields_of_many(
    db: &impl ConnectionTrait,
    models: &[&facility::Model],
) -> Result<Vec<FacilityFields>> {
    let mut children = Children::load(db, models).await?;
    Ok(models.iter().map(|m| children.fields(m)).collect())
}

/// The fields of facilities that live in other tables, by facility id.
struct Children {
    principles: HashMap<i32, Vec<Principle>>,
    ecosystem: HashMap<i32, Vec<(EcosystemDimension, String)>>,
    external_refs: HashMap<i32, Vec<ExternalRef>>,
    /// Organisation slugs by id.
    maintainers: HashMap<i32, String>,
}

impl Children {
    async fn load(db: &impl ConnectionTrait, models: &[&facility::Model]) -> Result<Self> {
        let ids: Vec<i32> = models.iter().map(|m| m.id).collect();
        let mut principles: HashMap<i32, Vec<Principle>> = HashMap::new();
        for p in facility_principle::Entity::find()
            .filter(facility_principle::Column::FacilityId.is_in(ids.iter().copied()))
            .all(db)
            .await?
        {
            principles
                .entry(p.facility_id)
                .or_default()
                .push(p.principle);
        }
        let mut ecosystem: HashMap<i32, Vec<(EcosystemDimension, String)>> = HashMap::new();
        for n in facility_ecosystem_note::Entity::find()
            .filter(facility_ecosystem_note::Column::FacilityId.is_in(ids.iter().copied()))
            .all(db)
            .await?
        {
            ecosystem
                .entry(n.facility_id)
                .or_default()
                .push((n.dimension, n.note));
        }
        let mut external_refs: HashMap<i32, Vec<ExternalRef>> = HashMap::new();
        for r in refs_of(db, &ids).await? {
            external_refs
                .entry(r.facility_id)
                .or_default()
                .push(ExternalRef {
                    scheme: r.scheme,
                    value: r.value,
                    url: r.url,
                });
        }
        let org_ids: HashSet<i32> = models.iter().filter_map(|m| m.maintained_by_id).collect();
        let maintainers = if org_ids.is_empty() {
            HashMap::new()
        } else {
            organisation::Entity::find()
                .filter(organisation::Column::Id.is_in(org_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|o| (o.id, o.slug))
                .collect()
        };
        Ok(Self {
            principles,
            ecosystem,
            external_refs,
            maintainers,
        })
    }

    /// The fields of `model`; in the order `normalise` keeps them, so that
    /// stored and written fields compare equal.
    fn fields(&mut self, model: &facility::Model) -> FacilityFields {
        let mut principles = self.principles.remove(&model.id).unwrap_or_default();
        principles.sort();
        let mut ecosystem = self.ecosystem.remove(&model.id).unwrap_or_default();
        ecosystem.sort_by_key(|(d, _)| *d);
        let maintained_by = model
            .maintained_by_id
            .and_then(|id| self.maintainers.get(&id).cloned());
        let mut external_refs = self.external_refs.remove(&model.id).unwrap_or_default();
        external_refs.sort_by_key(|r| r.scheme);
        FacilityFields::of(
            model,
            FacilityChildren {
                maintained_by,
                principles,
                ecosystem,
                external_refs,
            },
        )
    }
}

/// The organisation that will maintain the facility, checked against the actor:
/// a partner's facilities are always its own.
async fn maintainer_for(
    write: &Write,
    fields: &FacilityFields,
) -> Result<Option<organisation::Model>> {
    let actor = &write.actor;
    if !actor.writes_all_content() {
        let own = actor.organisation.clone();
        let own_slug = own.as_ref().map(|o| o.slug.as_str());
        if fields.maintained_by.as_deref() != own_slug {
            return Err(AppError::Forbidden(format!(
                "partners maintain their own facilities only: `maintainedBy` must be `{}`",
                own_slug.unwrap_or_default()
            )));
        }
        return Ok(own);
    }
    let Some(slug) = &fields.maintained_by else {
        return Ok(None);
    };
    let org = organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug.as_str()))
        .one(write.txn())
        .await?;
    org.map(Some).ok_or_else(|| {
        AppError::Invalid(vec![crate::error::Problem {
            field: "input.maintainedBy".to_owned(),
            message: format!("no partner organisation has the slug `{slug}`"),
        }])
    })
}

/// The row of facility `id`'s reference `r`.
fn ref_row(id: i32, r: &ExternalRef) -> facility_external_ref::ActiveModel {
    facility_external_ref::ActiveModel {
        facility_id: Set(id),
        scheme: Set(r.scheme),
        value: Set(r.value.clone()),
        url: Set(r.url.clone()),
    }
}

/// The rows of facility `id`'s references, for an import to store many
/// facilities' in one statement.
pub fn ref_rows(
    id: i32,
    refs: &[ExternalRef],
) -> impl Iterator<Item = facility_external_ref::ActiveModel> + '_ {
    refs.iter().map(move |r| ref_row(id, r))
}

/// The external references of facilities, for any number of them: one query.
///
/// # Errors
/// Database errors.
pub async fn refs_of(
    db: &impl ConnectionTrait,
    facility_ids: &[i32],
) -> Result<Vec<facility_external_ref::Model>> {
    Ok(facility_external_ref::Entity::find()
        .filter(facility_external_ref::Column::FacilityId.is_in(facility_ids.iter().copied()))
        .all(db)
        .await?)
}

/// `CONFLICT` when another facility than `except` has one of `refs`: a
/// scheme's value names one facility, or imports could not match by it.
async fn refs_free(
    db: &impl ConnectionTrait,
    refs: &[ExternalRef],
    except: Option<i32>,
) -> Result<()> {
    if refs.is_empty() {
        return Ok(());
    }
    let mut any = sea_orm::Condition::any();
    for r in refs {
        any = any.add(
            facility_external_ref::Column::Scheme
                .eq(r.scheme)
                .and(facility_external_ref::Column::Value.eq(r.value.as_str())),
        );
    }
    let mut query = facility_external_ref::Entity::find().filter(any);
    if let Some(id) = except {
        query = query.filter(facility_external_ref::Column::FacilityId.ne(id));
    }
    let Some(taken) = query.one(db).await? else {
        return Ok(());
    };
    let holder = facility::Entity::find_by_id(taken.facility_id)
        .one(db)
        .await?
        .map_or_else(
            || "another facility".to_owned(),
            |f| format!("facility `{}`", f.slug),
        );
    Err(AppError::Conflict(format!(
        "the {} reference `{}` already names {holder}; a reference names one facility",
        taken.scheme.as_str().to_ascii_uppercase(),
        taken.value
    )))
}

async fn slug_taken(db: &impl ConnectionTrait, slug: &str, except: Option<i32>) -> Result<bool> {
    let mut query = facility::Entity::find().filter(facility::Column::Slug.eq(slug));
    if let Some(id) = except {
        query = query.filter(facility::Column::Id.ne(id));
    }
    Ok(query.count(db).await? > 0)
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
                // Slugs hold no LIKE wildcards, so the pattern needs no escaping.
                .or(facility::Column::Slug.like(format!("{base}-%"))),
        )
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(free_slug(base, &taken))
}

/// The first of `base`, `base-2`, `base-3`, … not in `taken`.
#[must_use]
pub fn free_slug(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|c| !taken.contains(c))
        .unwrap_or_else(|| base.to_owned())
}
